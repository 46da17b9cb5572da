import {
  array,
  boolean,
  looseObject,
  nonEmpty,
  nullish,
  optional,
  pipe,
  string,
  type GenericSchema,
  type InferOutput,
} from 'valibot'
import { DEFAULT_MAIN_MODULE } from '../deploy/bundle'
import type { CloudflareApiSettings } from '../core/config'
import { toBase64 } from '../lib/encoding'
import { PlatformError } from '../core/errors'
import { apiError, readResult } from './cloudflare-envelope'
import type { AssetConfig, BundleModule, WorkerBundle } from '../core/model'
import { fromApiPart, toApiPart } from './modules'

// What the answers the platform reads say, as Cloudflare documents them. The envelope every API v4
// answer comes in carries `errors` (read from a failure) and `result` (read from a success, in the
// shape each call passes): an answer off that shape is the API's failure, not a TypeError later.

/** POST …/assets-upload-session: the upload token, and buckets of the hashes Cloudflare still needs. */
const uploadSessionSchema = looseObject({
  jwt: pipe(string(), nonEmpty('no upload token')),
  buckets: nullish(array(array(string()))),
})

/** POST …/workers/assets/upload: the completion token, once the last bucket is in. */
const assetsUploadSchema = nullish(looseObject({ jwt: nullish(string()) }))

/** GET …/dispatch/namespaces/{namespace}. */
const namespaceSchema = looseObject({ trusted_workers: optional(boolean()) })

/** What a script upload says about its static assets: the upload's completion token and how to serve them. */
export interface ScriptAssets {
  jwt: string
  config: AssetConfig
}

/** Upload metadata of a Worker: `main_module` for ES modules, `body_part` for a service-worker script. */
export type WorkerMetadata = ({ main_module: string } | { body_part: string }) & {
  compatibility_date: string
  compatibility_flags?: string[]
  tags: string[]
  tail_consumers?: { service: string }[]
  bindings: (TextBinding | JsonBinding | AssetsBinding | ServiceBinding)[]
  assets?: ScriptAssets
}

export interface TextBinding {
  type: 'plain_text' | 'secret_text'
  name: string
  text: string
}

/** A var whose value is JSON: the Worker gets the value itself (a wrangler config's non-string vars). */
export interface JsonBinding {
  type: 'json'
  name: string
  json: unknown
}

/** The script's static assets as a fetcher (assets.binding in a wrangler config). */
export interface AssetsBinding {
  type: 'assets'
  name: string
}

/** A service binding to a Worker's named entrypoint; `props` arrive as that entrypoint's ctx.props. */
export interface ServiceBinding {
  type: 'service'
  name: string
  service: string
  entrypoint: string
  props: Record<string, string>
}

/**
 * Upload metadata of a static site: assets and no Worker. As wrangler does for an assets-only
 * Worker, no main module and no module parts; Cloudflare serves the assets by themselves.
 */
export interface StaticSiteMetadata {
  assets: ScriptAssets
  compatibility_date: string
  compatibility_flags?: string[]
  tags: string[]
}

/** A static asset ready for the assets upload: the path it is served at, its manifest hash, bytes and type. */
export interface HashedAsset {
  path: string
  /** 32 hex characters, the form the manifest takes (see dispatch-namespace.ts for how it is salted). */
  hash: string
  content: Uint8Array
  contentType: string
}

// Upload error codes that mean "your script is wrong" rather than "Cloudflare failed":
// 10021 script validation failed (e.g. a SyntaxError at startup), 10006 script body not parseable.
const SCRIPT_REJECTED_CODES = new Set([10006, 10021])

/**
 * A minimal client for the Workers for Platforms script endpoints. The API token is only ever
 * placed in the Authorization header: messages surfaced to users come from the API's own
 * `errors[]` or are written here, never built from the request.
 */
export class CloudflareApi {
  constructor(
    private readonly settings: CloudflareApiSettings,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  /**
   * PUT …/scripts/{scriptName}: creates or replaces a user Worker in the dispatch namespace; with
   * no bundle, a static site (the metadata's assets only).
   */
  async uploadScript(scriptName: string, bundle: WorkerBundle, metadata: WorkerMetadata): Promise<void>
  async uploadScript(scriptName: string, bundle: null, metadata: StaticSiteMetadata): Promise<void>
  async uploadScript(
    scriptName: string,
    bundle: WorkerBundle | null,
    metadata: WorkerMetadata | StaticSiteMetadata,
  ): Promise<void> {
    const form = new FormData()
    form.append('metadata', new Blob([JSON.stringify(metadata)], { type: 'application/json' }), 'metadata.json')
    for (const module of bundle?.modules ?? []) {
      const { content, type } = toApiPart(module)
      form.append(module.name, new File([content], module.name, { type }))
    }
    await this.call('PUT', scriptName, form)
  }

  /**
   * Uploads a script's static assets (Cloudflare's direct upload) and returns the completion token
   * the script upload names in `assets.jwt`: 1. POST …/scripts/{scriptName}/assets-upload-session
   * with the manifest; Cloudflare answers with an upload token and buckets of the hashes it does not
   * hold yet; 2. each bucket, base64, to …/workers/assets/upload with the upload token (not the API
   * token); the last one answers with the completion token. When Cloudflare already holds every
   * file there are no buckets, and the session's token is the completion token.
   */
  async uploadAssets(scriptName: string, assets: HashedAsset[]): Promise<string> {
    const manifest: Record<string, { hash: string; size: number }> = {}
    for (const asset of assets) manifest[asset.path] = { hash: asset.hash, size: asset.content.byteLength }
    const session = await this.post(
      `${this.scriptUrl(scriptName)}/assets-upload-session`,
      JSON.stringify({ manifest }),
      uploadSessionSchema,
      'starting the asset upload',
    )
    const buckets = session.buckets ?? []
    if (buckets.length === 0) return session.jwt

    const byHash = new Map(assets.map((asset) => [asset.hash, asset]))
    let completion: string | undefined
    // One bucket at a time: the completion token comes with whichever upload finishes the set.
    for (const bucket of buckets) {
      const form = new FormData()
      for (const hash of bucket) {
        const asset = byHash.get(hash)
        if (!asset) {
          throw new PlatformError(
            'cloudflare_api_error',
            'The Cloudflare API asked for an asset that was not uploaded.',
          )
        }
        // Cloudflare serves each asset with the type given here; application/null means none at all.
        const type = asset.contentType || 'application/null'
        form.append(asset.hash, new File([toBase64(asset.content)], asset.hash, { type }))
      }
      const uploaded = await this.post(this.assetsUploadUrl(), form, assetsUploadSchema, 'an asset upload', session.jwt)
      if (uploaded?.jwt) completion = uploaded.jwt
    }
    if (!completion) {
      throw new PlatformError('cloudflare_api_error', 'The Cloudflare API did not confirm the asset upload.')
    }
    return completion
  }

  /**
   * GET …/scripts/{scriptName}/content: the modules of a script as uploaded (multipart, the main
   * module named by the `cf-entrypoint` header), or null when the script is gone.
   */
  async scriptContent(scriptName: string): Promise<WorkerBundle | null> {
    const response = await this.request('GET', `${this.scriptUrl(scriptName)}/content`)
    if (response.status === 404) {
      await response.body?.cancel()
      return null
    }
    if (!response.ok) throw await apiError(response, SCRIPT_REJECTED_CODES)
    const type = response.headers.get('content-type') ?? ''
    if (!/^multipart\/form-data\b/i.test(type)) {
      // A service-worker script comes back as the script itself.
      const content = new Uint8Array(await response.arrayBuffer())
      return {
        mainModule: DEFAULT_MAIN_MODULE,
        modules: [fromApiPart(DEFAULT_MAIN_MODULE, 'application/javascript', content)],
      }
    }
    const form = await response.formData()
    const modules: BundleModule[] = []
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') continue
      modules.push(fromApiPart(value.name || field, value.type, new Uint8Array(await value.arrayBuffer())))
    }
    // A static site (assets only) has no Worker code to give back.
    if (modules.length === 0) return null
    const mainModule = response.headers.get('cf-entrypoint') ?? modules[0]?.name ?? DEFAULT_MAIN_MODULE
    return { mainModule, modules }
  }

  /** GET …/dispatch/namespaces/{namespace}: whether its Workers run trusted (`trusted_workers`). */
  async namespaceTrustedWorkers(): Promise<boolean> {
    const { baseUrl, accountId, namespace } = this.settings
    const segments = ['accounts', accountId, 'workers', 'dispatch', 'namespaces', namespace]
    const response = await this.request('GET', `${baseUrl}/${segments.map(encodeURIComponent).join('/')}`)
    if (!response.ok) throw await apiError(response, SCRIPT_REJECTED_CODES)
    const described = await readResult(response, namespaceSchema, 'reading the namespace')
    return described.trusted_workers === true
  }

  /** DELETE …/scripts/{scriptName}; a script that is already gone counts as deleted. */
  async deleteScript(scriptName: string): Promise<void> {
    // The operation's OpenAPI declares a required JSON body; an empty object is what it can be.
    await this.call('DELETE', scriptName, '{}', { allowNotFound: true })
  }

  private assetsUploadUrl(): string {
    const { baseUrl, accountId } = this.settings
    return `${baseUrl}/accounts/${encodeURIComponent(accountId)}/workers/assets/upload?base64=true`
  }

  private scriptUrl(scriptName: string): string {
    const { baseUrl, accountId, namespace } = this.settings
    const segments = ['accounts', accountId, 'workers', 'dispatch', 'namespaces', namespace, 'scripts', scriptName]
    return `${baseUrl}/${segments.map(encodeURIComponent).join('/')}`
  }

  private async call(
    method: string,
    scriptName: string,
    body: string | FormData | undefined,
    { allowNotFound = false } = {},
  ): Promise<void> {
    const response = await this.request(method, this.scriptUrl(scriptName), body)
    if (response.ok) {
      await response.body?.cancel()
      return
    }
    if (allowNotFound && response.status === 404) return
    throw await apiError(response, SCRIPT_REJECTED_CODES)
  }

  /** A POST whose envelope's `result` is wanted, as `schema` says (JSON text is sent as application/json). */
  private async post<S extends GenericSchema>(
    url: string,
    body: string | FormData,
    schema: S,
    what: string,
    token?: string,
  ): Promise<InferOutput<S>> {
    const response = await this.request('POST', url, body, token)
    if (!response.ok) throw await apiError(response, SCRIPT_REJECTED_CODES)
    return readResult(response, schema, what)
  }

  /**
   * One authenticated API call, with the API token unless another is given (asset uploads carry
   * their session's token); only a failure to reach the API throws.
   */
  private async request(method: string, url: string, body?: string | FormData, token?: string): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token ?? this.settings.apiToken}` }
    if (typeof body === 'string') headers['Content-Type'] = 'application/json'
    try {
      return await this.fetchImpl(url, { method, body, headers })
    } catch {
      throw new PlatformError('cloudflare_api_error', 'Could not reach the Cloudflare API. Try again in a moment.')
    }
  }
}
