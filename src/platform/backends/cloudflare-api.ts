import { DEFAULT_MAIN_MODULE } from '../bundle'
import type { CloudflareApiSettings } from '../config'
import { PlatformError } from '../errors'
import type { BundleModule, WorkerBundle } from '../model'
import { fromApiPart, toApiPart } from './modules'

/** The envelope every Cloudflare API v4 response comes in. */
interface ApiEnvelope {
  success?: boolean
  errors?: { code?: number; message?: string }[]
  result?: unknown
}

/** Upload metadata: `main_module` for ES modules, `body_part` for a service-worker script. */
export type ScriptMetadata = ({ main_module: string } | { body_part: string }) & {
  compatibility_date: string
  compatibility_flags?: string[]
  tags: string[]
  tail_consumers?: { service: string }[]
  bindings: { type: 'plain_text' | 'secret_text'; name: string; text: string }[]
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

  /** PUT …/scripts/{scriptName}: creates or replaces a user Worker in the dispatch namespace. */
  async uploadScript(scriptName: string, bundle: WorkerBundle, metadata: ScriptMetadata): Promise<void> {
    const form = new FormData()
    form.append('metadata', new Blob([JSON.stringify(metadata)], { type: 'application/json' }), 'metadata.json')
    for (const module of bundle.modules) {
      const { content, type } = toApiPart(module)
      form.append(module.name, new File([content], module.name, { type }))
    }
    await this.call('PUT', scriptName, form)
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

  /** One authenticated API call; only a failure to reach the API throws. */
  private async request(method: string, url: string, body?: FormData): Promise<Response> {
    try {
      return await this.fetchImpl(url, { method, body, headers: { Authorization: `Bearer ${this.settings.apiToken}` } })
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
