// Where a deployment's static assets live on dynamic-workers: KV, beside its code.
//
//   assets/<workerId>                   the manifest: path → { key, contentType, size, etag }, config
//   asset/<workerId>/<salted sha-256>   one file's bytes, once per distinct content in the deployment
//
// The digest is SHA-256 over the tenant's salt (its owner ID) and the bytes, so equal files of two
// tenants never share a key or an ETag (nobody can probe whether another tenant serves some bytes).
// Content is keyed under its own deployment too: nothing is shared between deployments, so deleting
// one deletes exactly the keys its manifest names, and no reference counting (which KV, without
// transactions or consistent lists, could not do safely) is needed. The price: a deploy writes every
// file again, and each retained deployment holds its own copy. Everything is immutable per Worker ID,
// which is why a rollback (another Worker ID) rolls the assets back too, and why this isolate caches
// manifests and small bodies without ever revalidating them.
import { boolean, looseObject, number, record, string, type GenericSchema } from 'valibot'
import { encodeText } from '../lib/encoding'
import { sha256Hex } from '../lib/crypto'
import { PlatformError } from '../core/errors'
import type { DeploymentAssets } from '../core/model'
import { assetConfigSchema } from '../core/model-schemas'
import { parseStoredJson } from '../core/schema'
import { invalidWorkerFirstRules, siteOf, type AssetManifest, type ManifestEntry, type Site } from './serve'

/** KV's limit for one value: a larger file cannot be stored. */
export const MAX_ASSET_BYTES = 25 * 1024 * 1024

const manifestKey = (workerId: string) => `assets/${workerId}`

/** The manifest as put() has always written it. */
const manifestSchema: GenericSchema<AssetManifest> = looseObject({
  hasWorker: boolean(),
  config: assetConfigSchema,
  files: record(
    string(),
    looseObject({
      key: string(),
      contentType: string(),
      size: number(),
      etag: string(),
    }) satisfies GenericSchema<ManifestEntry>,
  ),
})
const contentPrefix = (workerId: string) => `asset/${workerId}/`

/** SHA-256 of the salt, a NUL and the bytes, as hex (a salt never contains NUL). */
export async function saltedDigest(salt: string, content: Uint8Array): Promise<string> {
  const prefix = encodeText(`${salt}\0`)
  const salted = new Uint8Array(prefix.length + content.length)
  salted.set(prefix)
  salted.set(content, prefix.length)
  return sha256Hex(salted)
}

// Per isolate. Manifests are small; bodies up to 1 MiB each are kept up to 16 MiB in all, least
// recently used out first, so a busy site is served from memory and large files stream from KV.
const MAX_CACHED_SITES = 200
const MAX_CACHED_BODY_BYTES = 1024 * 1024
const BODY_CACHE_BYTES = 16 * 1024 * 1024
const sites = new Map<string, Site>()
const bodies = new Map<string, ArrayBuffer>()
let cachedBodyBytes = 0

/** KV writes at once while storing a deployment's files. */
const PUT_CONCURRENCY = 8

export class AssetStore {
  constructor(private readonly kv: KVNamespace) {}

  /**
   * Stores a deployment's assets (none, for a Worker without, stores nothing). The manifest goes
   * first: a deploy that fails halfway leaves a manifest that names every key it may have written,
   * so `remove` cleans up whatever got stored.
   */
  async put(workerId: string, salt: string, assets: DeploymentAssets | undefined, hasWorker: boolean): Promise<void> {
    if (!assets && hasWorker) return
    const files = assets?.files ?? []
    const config = assets?.config ?? {}
    if (Array.isArray(config.run_worker_first)) {
      const invalid = invalidWorkerFirstRules(config.run_worker_first)
      if (invalid) throw new PlatformError('invalid_request', `Static assets: ${invalid}`)
    }
    const entries: AssetManifest['files'] = {}
    const contents = new Map<string, Uint8Array>()
    for (const file of files) {
      if (!file.path.startsWith('/'))
        throw new PlatformError('invalid_request', `Static asset path "${file.path}" must start with "/".`)
      if (file.content.byteLength > MAX_ASSET_BYTES) {
        throw new PlatformError(
          'script_too_large',
          `Static asset "${file.path}" is ${file.content.byteLength} bytes; the most one file may be is 25 MiB.`,
        )
      }
      const etag = await saltedDigest(salt, file.content)
      const key = contentPrefix(workerId) + etag
      entries[file.path] = { key, contentType: file.contentType, size: file.content.byteLength, etag }
      contents.set(key, file.content)
    }
    const manifest: AssetManifest = { hasWorker, config, files: entries }
    await this.kv.put(manifestKey(workerId), JSON.stringify(manifest))
    const pending = [...contents]
    await Promise.all(
      Array.from({ length: Math.min(PUT_CONCURRENCY, pending.length) }, async () => {
        for (let next = pending.pop(); next; next = pending.pop()) await this.kv.put(next[0], next[1])
      }),
    )
  }

  /**
   * Gives deployment `to` the assets of `from` (a settings change serves the same files): the same
   * manifest under its own keys, each file copied, so the two stay independent (see the header).
   */
  async copy(from: string, to: string): Promise<void> {
    const manifest = await this.manifest(from)
    if (!manifest)
      throw new PlatformError('deployment_missing', `The static assets of ${from} are missing: deploy again.`)
    const files: AssetManifest['files'] = {}
    const keys = new Map<string, string>()
    for (const [path, entry] of Object.entries(manifest.files)) {
      const key = contentPrefix(to) + entry.etag
      keys.set(entry.key, key)
      files[path] = { ...entry, key }
    }
    await this.kv.put(manifestKey(to), JSON.stringify({ ...manifest, files }))
    const pending = [...keys]
    await Promise.all(
      Array.from({ length: Math.min(PUT_CONCURRENCY, pending.length) }, async () => {
        for (let next = pending.pop(); next; next = pending.pop()) {
          const [source, target] = next
          const body = source.startsWith(contentPrefix(from)) ? await this.kv.get(source, 'stream') : null
          if (!body)
            throw new PlatformError('deployment_missing', `A static asset of ${from} is missing: deploy again.`)
          await this.kv.put(target, body)
        }
      }),
    )
  }

  /** The deployment's site, read from KV once per isolate; null when it has no manifest. */
  async site(workerId: string): Promise<Site | null> {
    const cached = sites.get(workerId)
    if (cached) return cached
    const manifest = await this.manifest(workerId)
    if (!manifest) return null
    const site = siteOf(manifest)
    if (sites.size >= MAX_CACHED_SITES) sites.delete(sites.keys().next().value as string)
    sites.set(workerId, site)
    return site
  }

  /**
   * A file's bytes, or null when they are missing. Only keys under the deployment's own prefix are
   * read, so not even an altered manifest could serve another deployment's (or tenant's) content.
   */
  async body(workerId: string, entry: ManifestEntry): Promise<BodyInit | null> {
    if (!entry.key.startsWith(contentPrefix(workerId))) return null
    const cached = bodies.get(entry.key)
    if (cached) {
      // Map order is insertion order: re-inserting marks it most recently used.
      bodies.delete(entry.key)
      bodies.set(entry.key, cached)
      return cached
    }
    if (entry.size > MAX_CACHED_BODY_BYTES) return this.kv.get(entry.key, 'stream')
    const bytes = await this.kv.get(entry.key, 'arrayBuffer')
    if (bytes) remember(entry.key, bytes)
    return bytes
  }

  /** Deletes the deployment's files, then its manifest (last, so a retry still knows what to delete). */
  async remove(workerId: string): Promise<void> {
    const manifest = await this.manifest(workerId)
    sites.delete(workerId)
    if (!manifest) return
    const keys = [...new Set(Object.values(manifest.files).map((entry) => entry.key))]
    for (const key of keys) forget(key)
    await Promise.all(keys.filter((key) => key.startsWith(contentPrefix(workerId))).map((key) => this.kv.delete(key)))
    await this.kv.delete(manifestKey(workerId))
  }

  /** The deployment's manifest, or null when it has none. */
  private async manifest(workerId: string): Promise<AssetManifest | null> {
    const text = await this.kv.get(manifestKey(workerId), 'text')
    return text === null ? null : parseStoredJson(manifestSchema, text, `The asset manifest of ${workerId}`)
  }
}

function remember(key: string, bytes: ArrayBuffer) {
  forget(key) // two requests may have read it at once
  bodies.set(key, bytes)
  cachedBodyBytes += bytes.byteLength
  for (const [oldest, old] of bodies) {
    if (cachedBodyBytes <= BODY_CACHE_BYTES) break
    bodies.delete(oldest)
    cachedBodyBytes -= old.byteLength
  }
}

function forget(key: string) {
  const bytes = bodies.get(key)
  if (!bytes) return
  bodies.delete(key)
  cachedBodyBytes -= bytes.byteLength
}
