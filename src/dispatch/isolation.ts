// How much of Cloudflare's per-request context user Workers get, as in Workers for Platforms:
// https://developers.cloudflare.com/cloudflare-for-platforms/workers-for-platforms/reference/worker-isolation/
// Untrusted (the default): no `request.cf`, and no cache shared with other tenants. Trusted: both.

/**
 * The `cf` to put on the request a user Worker receives: the incoming request's, only when user
 * Workers are trusted (USER_WORKERS_TRUSTED). Dispatch passes it as the forwarded request's `cf`.
 */
export function forwardedCf(incoming: Request, trusted: boolean): RequestInit['cf'] | undefined {
  // The incoming properties are data about the visitor; passed on as they are.
  return trusted ? incoming.cf : undefined
}

/** What the namespace says about trust, for the home page: agrees, disagrees, or could not be read. */
export type NamespaceTrust = { trustedWorkers: boolean } | { unknown: string }
