/**
 * The errors a user (or Cloudflare) can cause. Each carries a stable code, the HTTP status to
 * answer with and a message that is safe to show: routes render it as a page or as JSON.
 */
export type PlatformErrorCode = keyof typeof STATUS

const STATUS = {
  invalid_name: 400,
  invalid_request: 400,
  invalid_settings: 400,
  empty_script: 400,
  script_rejected: 400,
  build_failed: 400,
  binding_not_inherited: 400,
  invalid_domain: 400,
  too_many_domains: 400,
  unauthorized: 401,
  cross_site_request: 403,
  forbidden: 403,
  not_found: 404,
  worker_not_found: 404,
  deployment_not_found: 404,
  domain_not_found: 404,
  name_taken: 409,
  domain_taken: 409,
  conflict: 409,
  script_too_large: 413,
  project_too_large: 413,
  body_too_large: 413,
  rate_limited: 429,
  budget_exceeded: 429,
  worker_failed: 500,
  deployment_missing: 502,
  cloudflare_api_error: 502,
  builder_failed: 502,
  limit_exceeded: 503,
  worker_suspended: 503,
  backend_unavailable: 503,
  misconfigured: 503,
  loop_detected: 508,
} as const

export type PlatformErrorStatus = (typeof STATUS)[PlatformErrorCode]

export class PlatformError extends Error {
  override name = 'PlatformError'
  readonly status: PlatformErrorStatus

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

/**
 * A credential that was given and is wrong: an unknown, revoked or malformed token, or one for
 * another worker or account (not a missing one). Counted per client (middleware/security.ts).
 */
export class CredentialError extends PlatformError {}

/**
 * The one answer to a token that is not valid: never existed, revoked, a wrong secret, or a deploy
 * token that is not (or no longer, after a rotation) this worker's. Telling them apart would tell
 * a guesser which tokens exist.
 */
export function unknownToken(): CredentialError {
  return new CredentialError('unauthorized', 'That token is not valid: it is unknown, or it was revoked.', {
    'WWW-Authenticate': 'Bearer',
  })
}

export function workerNotFound(name: string): PlatformError {
  return new PlatformError('worker_not_found', `There is no worker named "${name}".`)
}
