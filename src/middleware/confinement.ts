// What the platform does to a user Worker's response before it leaves: on the shared origin it is
// confined (CSP sandbox, no origin-wide headers); on its own origin its cookies stay on its host.
// No dependencies but core/cookies.ts (which has none), so the bench baseline (bench/baseline/)
// makes exactly the same copy.
import { setsPlatformCookie } from '../core/cookies'

const userResponses = new WeakSet<Response>()

/** Marks a user Worker's response: the platform's security headers are not added to it. */
function userResponse(response: Response): Response {
  userResponses.add(response)
  return response
}

/** Whether a response is a user Worker's own (see platformHeaders in security.ts). */
export function isUserResponse(response: Response): boolean {
  return userResponses.has(response)
}

/**
 * Headers whose effect outlives the response and covers the whole origin: on the shared origin
 * they would act on the platform and every other tenant. Set-Cookie goes whatever its name, so
 * a tenant can never set (or overwrite) one of the platform's cookies (core/cookies.ts) there.
 */
const ORIGIN_WIDE_HEADERS = [
  'Set-Cookie',
  'Clear-Site-Data',
  'Strict-Transport-Security',
  'Alt-Svc',
  'NEL',
  'Report-To',
  'Service-Worker-Allowed',
  'Accept-CH',
  'Critical-CH',
]

/**
 * A user response on the shared origin: a CSP sandbox without allow-same-origin gives its documents
 * an opaque origin, so they cannot act as the platform; cookies and other origin-wide headers are
 * dropped — WebSocket upgrades included.
 */
export function confine(response: Response, sandboxPolicy: string | undefined): Response {
  const confined = copyOf(response)
  for (const name of ORIGIN_WIDE_HEADERS) confined.headers.delete(name)
  // An upgrade has no document to sandbox.
  if (sandboxPolicy && !response.webSocket) confined.headers.append('Content-Security-Policy', sandboxPolicy)
  return userResponse(confined)
}

/**
 * A user response on the worker's own origin (host routing): a cookie with a Domain attribute
 * would reach the parent domain — the platform and every other tenant — so it becomes host-only;
 * a cookie named as the platform's (core/cookies.ts) is dropped, as the platform would strip it
 * from every request anyway. Responses without such a cookie pass untouched (no copy).
 */
export function keepCookiesOnHost(response: Response): Response {
  if (!response.headers.has('Set-Cookie')) return userResponse(response)
  const cookies = response.headers.getSetCookie()
  if (!cookies.some((cookie) => hasDomainAttribute(cookie) || setsPlatformCookie(cookie))) {
    return userResponse(response)
  }
  const rewritten = copyOf(response)
  rewritten.headers.delete('Set-Cookie')
  for (const cookie of cookies) {
    if (!setsPlatformCookie(cookie)) rewritten.headers.append('Set-Cookie', withoutDomain(cookie))
  }
  return userResponse(rewritten)
}

const attributeName = (attribute: string) => (attribute.split('=', 1)[0] ?? '').trim().toLowerCase()

function hasDomainAttribute(cookie: string): boolean {
  return cookie
    .split(';')
    .slice(1)
    .some((attribute) => attributeName(attribute) === 'domain')
}

function withoutDomain(cookie: string): string {
  const [pair = '', ...attributes] = cookie.split(';')
  return [pair, ...attributes.filter((attribute) => attributeName(attribute) !== 'domain')].join(';')
}

/**
 * A response with mutable headers (the runtime's are immutable). A 101 upgrade carries its
 * WebSocket instead of a body, so it is rebuilt around that.
 */
function copyOf(response: Response): Response {
  if (response.webSocket) {
    const { status, statusText, headers, webSocket } = response
    return new Response(null, { status, statusText, headers, webSocket })
  }
  return new Response(response.body, response)
}
