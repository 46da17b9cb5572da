import { DEFAULT_MAIN_MODULE } from '../deploy/bundle'
import type { CloudflareApiSettings } from '../core/config'
import { toBase64 } from '../lib/encoding'
import { PlatformError } from '../core/errors'
import type { AssetConfig, BundleModule, WorkerBundle } from '../core/model'
import { fromApiPart, toApiPart } from './modules'

/** The envelope every Cloudflare API v4 response comes in. */
interface ApiEnvelope {
  success?: boolean
  errors?: { code?: number; message?: string }[]
  result?: unknown
}

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
  bindings: (TextBinding | ServiceBinding)[]
  assets?: ScriptAssets
}

export interface TextBinding {
  type: 'plain_text' | 'secret_text'
  name: string
  text: string
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
    const session = await this.post<{ jwt?: unknown; buckets?: unknown }>(
      `${this.scriptUrl(scriptName)}/assets-upload-session`,
      JSON.stringify({ manifest }),
    )
    if (typeof session?.jwt !== 'string' || !session.jwt) {
      throw new PlatformError('cloudflare_api_error', 'The Cloudflare API started no asset upload (no upload token).')
    }
    const buckets = Array.isArray(session.buckets) ? (session.buckets as unknown[]) : []
    if (buckets.length === 0) return session.jwt

    const byHash = new Map(assets.map((asset) => [asset.hash, asset]))
    let completion: string | undefined
    // One bucket at a time: the completion token comes with whichever upload finishes the set.
    for (const bucket of buckets) {
      const form = new FormData()
      for (const hash of Array.isArray(bucket) ? (bucket as unknown[]) : []) {
        const asset = typeof hash === 'string' ? byHash.get(hash) : undefined
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
      const uploaded = await this.post<{ jwt?: unknown }>(this.assetsUploadUrl(), form, session.jwt)
      if (typeof uploaded?.jwt === 'string' && uploaded.jwt) completion = uploaded.jwt
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
    if (!response.ok) throw await apiError(response)
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
    if (!response.ok) throw await apiError(response)
    const body = await readEnvelope(response)
    return (body.result as { trusted_workers?: unknown } | undefined)?.trusted_workers === true
  }

  /** DELETE …/scripts/{scriptName}; a script that is already gone counts as deleted. */
  async deleteScript(scriptName: string): Promise<void> {
    await this.call('DELETE', scriptName, undefined, { allowNotFound: true })
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
    body: FormData | undefined,
    { allowNotFound = false } = {},
  ): Promise<void> {
    const response = await this.request(method, this.scriptUrl(scriptName), body)
    if (response.ok) {
      await response.body?.cancel()
      return
    }
    if (allowNotFound && response.status === 404) return
    throw await apiError(response)
  }

  /** A POST whose envelope's `result` is wanted (JSON text is sent as application/json). */
  private async post<T>(url: string, body: string | FormData, token?: string): Promise<T | undefined> {
    const response = await this.request('POST', url, body, token)
    if (!response.ok) throw await apiError(response)
    return (await readEnvelope(response)).result as T | undefined
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

/** The API's own error codes and messages (never the request, which holds the token). */
async function apiError(response: Response): Promise<PlatformError> {
  const errors = (await readEnvelope(response)).errors ?? []
  const described = errors
    .filter((error) => error.message)
    .map((error) => (error.code ? `${error.code}: ${error.message}` : String(error.message)))
  const message = described.length
    ? `Cloudflare API error ${described.join('; ')}`
    : `Cloudflare API answered ${response.status} ${response.statusText}`.trim()
  const rejected = response.status < 500 && errors.some((error) => SCRIPT_REJECTED_CODES.has(error.code ?? 0))
  return new PlatformError(rejected ? 'script_rejected' : 'cloudflare_api_error', message)
}

async function readEnvelope(response: Response): Promise<ApiEnvelope> {
  try {
    return await response.json<ApiEnvelope>()
  } catch {
    return {}
  }
}
