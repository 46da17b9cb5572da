import { number, object, record, regex, pipe, safeParse, string, type InferOutput } from 'valibot'
import type { BuildLimits, DeploymentAssets, StaticAsset } from '../core/model'
import { PlatformError } from '../core/errors'
import { parseStored } from '../core/schema'
import { fromBase64, toHex } from '../lib/encoding'

// wrangler's direct upload of a deployment's static assets, as Cloudflare's API defines it: an
// upload session for a manifest (path → hash and size) answers a token and the hashes to send; the
// files go up under that token, base64 in a multipart body, one part per hash; the last answer's
// token goes into the script upload's metadata (`assets.jwt`). Here both tokens are random and
// short-lived, the session is kept in KV with the bytes (staged for an hour, then gone), and the
// files become the deployment's assets when the script upload names the session.

const STAGED_SECONDS = 60 * 60
const PREFIX = 'assets-upload/'
const HASH = regex(/^[0-9a-f]{32}$/, 'a hash of 32 hex digits')

export const manifestSchema = object({
  manifest: record(
    pipe(string(), regex(/^\/[^\0]*$/, 'an asset path starting with "/"')),
    object({ hash: pipe(string(), HASH), size: number() }),
  ),
})

type Manifest = InferOutput<typeof manifestSchema>['manifest']

const sessionSchema = object({ name: string(), manifest: manifestSchema.entries.manifest, expiresAt: number() })
type Session = InferOutput<typeof sessionSchema>

/** Files per bucket in a session's answer (wrangler sends one request per bucket). */
const BUCKET_SIZE = 50

export class AssetUploads {
  constructor(
    private readonly kv: KVNamespace,
    private readonly limits: Pick<BuildLimits, 'maxFiles' | 'maxFileBytes' | 'maxTotalBytes'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens a session for a worker's manifest, within the build limits. */
  async open(name: string, manifest: Manifest): Promise<{ jwt: string; buckets: string[][] }> {
    const entries = Object.values(manifest)
    const { maxFiles, maxFileBytes, maxTotalBytes } = this.limits
    if (entries.length > maxFiles) throw tooLarge(`${entries.length} files; at most ${maxFiles} (MAX_FILES)`)
    const large = Object.entries(manifest).find(([, entry]) => entry.size > maxFileBytes)
    if (large)
      throw tooLarge(`${large[0]} is ${large[1].size} bytes; at most ${maxFileBytes} per file (MAX_FILE_BYTES)`)
    const total = entries.reduce((sum, entry) => sum + entry.size, 0)
    if (total > maxTotalBytes) throw tooLarge(`${total} bytes in all; at most ${maxTotalBytes} (MAX_TOTAL_BYTES)`)
    const id = randomId()
    const session: Session = { name, manifest, expiresAt: this.now() + STAGED_SECONDS * 1000 }
    await this.kv.put(sessionKey(id), JSON.stringify(session), { expirationTtl: STAGED_SECONDS })
    const hashes = [...new Set(entries.map((entry) => entry.hash))]
    const buckets: string[][] = []
    for (let index = 0; index < hashes.length; index += BUCKET_SIZE)
      buckets.push(hashes.slice(index, index + BUCKET_SIZE))
    return { jwt: id, buckets }
  }

  /** Stages the files of one bucket; answers the token that completes the session (every answer carries it). */
  async upload(token: string | undefined, form: FormData): Promise<{ jwt: string }> {
    const { id, session } = await this.session(token)
    const wanted = new Map(Object.values(session.manifest).map((entry) => [entry.hash, entry.size]))
    for (const [hash, value] of form.entries()) {
      if (!wanted.has(hash)) throw invalid(`"${hash}" is not a file of this upload session's manifest.`)
      if (typeof value === 'string') throw invalid(`"${hash}": each file is a part with its content type.`)
      const content = fromBase64((await value.text()).trim())
      if (content.byteLength !== wanted.get(hash)) {
        throw invalid(`"${hash}" has ${content.byteLength} bytes; the manifest said ${wanted.get(hash)}.`)
      }
      await this.kv.put(fileKey(id, hash), content, {
        expirationTtl: STAGED_SECONDS,
        metadata: { contentType: value.type || 'application/octet-stream' },
      })
    }
    return { jwt: id }
  }

  /** The staged files of a completed session, as a deployment's assets of `name`. */
  async assets(token: string, name: string, config: DeploymentAssets['config']): Promise<DeploymentAssets> {
    const { id, session } = await this.session(token)
    if (session.name !== name) throw invalid(`That assets upload was made for "${session.name}", not "${name}".`)
    const files: StaticAsset[] = []
    for (const [path, { hash, size }] of Object.entries(session.manifest)) {
      const staged = await this.kv.getWithMetadata<{ contentType?: string }>(fileKey(id, hash), 'arrayBuffer')
      if (!staged.value) throw invalid(`${path} was not uploaded (its hash ${hash}): run the deploy again.`)
      const contentType = staged.metadata?.contentType ?? 'application/octet-stream'
      files.push({ path, content: new Uint8Array(staged.value), contentType, size })
    }
    return { files, config }
  }

  private async session(token: string | undefined): Promise<{ id: string; session: Session }> {
    if (!token || !/^[0-9a-f]{64}$/.test(token)) throw unknownUpload()
    const stored = await this.kv.get(sessionKey(token), 'json')
    if (stored === null) throw unknownUpload()
    const session = parseStored(sessionSchema, stored, 'An assets upload session')
    if (session.expiresAt < this.now()) throw unknownUpload()
    return { id: token, session }
  }
}

/** The manifest of a session request, checked. */
export function parseManifest(body: unknown): Manifest {
  const parsed = safeParse(manifestSchema, body)
  if (!parsed.success)
    throw invalid(`The assets manifest is not { manifest: { "/path": { hash, size } } }: ${parsed.issues[0].message}.`)
  return parsed.output.manifest
}

function sessionKey(id: string): string {
  return `${PREFIX}${id}`
}

function fileKey(id: string, hash: string): string {
  return `${PREFIX}${id}/${hash}`
}

function randomId(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(32)))
}

function unknownUpload(): PlatformError {
  return new PlatformError(
    'unauthorized',
    'That assets upload token is unknown or expired (they last an hour): run the deploy again.',
  )
}

function invalid(message: string): PlatformError {
  return new PlatformError('invalid_request', message)
}

function tooLarge(what: string): PlatformError {
  return new PlatformError('project_too_large', `The assets are too large: ${what}.`)
}
