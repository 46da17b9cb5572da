import type { PlatformErrorCode } from '../core/errors'

// The Cloudflare API's answer shape (docs: fundamentals/api/how-to/make-api-calls), which wrangler and
// the `cloudflare` SDK read: anything else under /client/v4 makes them report "a malformed response".

/** Cloudflare's "unable to authenticate request". */
const UNKNOWN_TOKEN_CODE = 10001

export interface Envelope<T> {
  success: boolean
  errors: { code: number; message: string }[]
  messages: { code: number; message: string }[]
  result: T | null
}

/** Where the platform serves its part of the Cloudflare API (CLOUDFLARE_API_BASE_URL = <platform>/client/v4). */
export const CLIENT_API_MOUNT = '/client/v4'

export function succeeded<T>(result: T): Envelope<T> {
  return { success: true, errors: [], messages: [], result }
}

export function failed(code: number, message: string): Envelope<null> {
  return { success: false, errors: [{ code, message }], messages: [], result: null }
}

/**
 * The Cloudflare error code of each platform error, as wrangler tells them apart: 10000 is a token
 * that may not do this (wrangler then asks /user/tokens/verify, /user and /accounts who it is, and
 * says), 10001 a token that is not valid at all (nothing more to ask), 10007 a script that does not
 * exist, 10021 an upload the API refuses.
 */
export const ERROR_CODES: Record<PlatformErrorCode, number> = {
  invalid_name: 10016,
  invalid_request: 10021,
  invalid_settings: 10021,
  empty_script: 10021,
  script_rejected: 10021,
  build_failed: 10021,
  // Cloudflare's "binding to inherit not found".
  binding_not_inherited: 10057,
  invalid_domain: 10021,
  too_many_domains: 10021,
  domain_taken: 10000,
  conflict: 10000,
  domain_not_found: 7003,
  unauthorized: UNKNOWN_TOKEN_CODE,
  cross_site_request: 10000,
  forbidden: 10000,
  not_found: 7003,
  worker_not_found: 10007,
  deployment_not_found: 10007,
  name_taken: 10000,
  script_too_large: 10027,
  project_too_large: 10027,
  body_too_large: 10027,
  rate_limited: 10013,
  budget_exceeded: 10013,
  worker_failed: 10002,
  deployment_missing: 10002,
  cloudflare_api_error: 10002,
  builder_failed: 10002,
  limit_exceeded: 10002,
  worker_suspended: 10002,
  backend_unavailable: 10002,
  misconfigured: 10002,
  loop_detected: 10002,
}

/** Not a script of this namespace: wrangler's deploy takes this code (and only it) as "a new script". */
export const NOT_IN_NAMESPACE = 10092

/** Cloudflare's "Invalid API Token" of /user/tokens/verify. */
export const INVALID_TOKEN = 1000

/** Cloudflare's "unauthorized to access requested resource" (of /user: wrangler then shows no email). */
export const UNAUTHORIZED_ACCESS = 9109
