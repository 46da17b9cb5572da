import type { CloudflareApiSettings } from '../config'
import { PlatformError } from '../errors'
import type { WorkerBundle } from '../model'
import { toApiPart } from './modules'

/** The envelope every Cloudflare API v4 response comes in. */
interface ApiEnvelope {
  success?: boolean
  errors?: { code?: number; message?: string }[]
}

/** Upload metadata: `main_module` for ES modules, `body_part` for a service-worker script. */
export type ScriptMetadata = ({ main_module: string } | { body_part: string }) & {
  compatibility_date: string
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
    let response: Response
    try {
      response = await this.fetchImpl(this.scriptUrl(scriptName), {
        method,
        body,
        headers: { Authorization: `Bearer ${this.settings.apiToken}` },
      })
    } catch {
      throw new PlatformError('cloudflare_api_error', 'Could not reach the Cloudflare API. Try again in a moment.')
    }
    if (response.ok) {
      await response.body?.cancel()
      return
    }
    if (allowNotFound && response.status === 404) return

    const errors = (await readEnvelope(response)).errors ?? []
    const described = errors
      .filter((error) => error.message)
      .map((error) => (error.code ? `${error.code}: ${error.message}` : String(error.message)))
    const message = described.length
      ? `Cloudflare API error ${described.join('; ')}`
      : `Cloudflare API answered ${response.status} ${response.statusText}`.trim()
    const rejected = response.status < 500 && errors.some((error) => SCRIPT_REJECTED_CODES.has(error.code ?? 0))
    throw new PlatformError(rejected ? 'script_rejected' : 'cloudflare_api_error', message)
  }
}

async function readEnvelope(response: Response): Promise<ApiEnvelope> {
  try {
    return await response.json<ApiEnvelope>()
  } catch {
    return {}
  }
}
