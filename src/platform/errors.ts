import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * The errors a user (or Cloudflare) can cause. Each carries a stable code, the HTTP status to
 * answer with and a message that is safe to show: routes render it as a page or as JSON.
 */
export type PlatformErrorCode =
  | 'invalid_name'
  | 'invalid_request'
  | 'invalid_settings'
  | 'limit_exceeded'
  | 'cross_site_request'
  | 'forbidden'
  | 'name_taken'
  | 'rate_limited'
  | 'empty_script'
  | 'script_too_large'
  | 'script_rejected'
  | 'not_found'
  | 'worker_not_found'
  | 'deployment_not_found'
  | 'deployment_missing'
  | 'cloudflare_api_error'
  | 'backend_unavailable'
  | 'misconfigured'

const STATUS: Record<PlatformErrorCode, ContentfulStatusCode> = {
  invalid_name: 400,
  invalid_request: 400,
  invalid_settings: 400,
  limit_exceeded: 503,
  cross_site_request: 403,
  forbidden: 403,
  name_taken: 409,
  rate_limited: 429,
  empty_script: 400,
  script_too_large: 413,
  script_rejected: 400,
  not_found: 404,
  worker_not_found: 404,
  deployment_not_found: 404,
  deployment_missing: 502,
  cloudflare_api_error: 502,
  backend_unavailable: 503,
  misconfigured: 503,
}

export class PlatformError extends Error {
  override name = 'PlatformError'
  readonly status: ContentfulStatusCode

  constructor(
    readonly code: PlatformErrorCode,
    message: string,
    /** Extra response headers, e.g. Retry-After for rate_limited. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.status = STATUS[code]
  }
}
