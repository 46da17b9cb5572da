import type { Context, MiddlewareHandler } from 'hono'
import { getConnInfo } from 'hono/cloudflare-workers'
import { secureHeaders } from 'hono/secure-headers'
import type { AppEnv } from '../context'
import { PlatformError } from '../platform/errors'

const secure = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
})

/** Responses of user Workers: they never get the platform's headers. */
const userResponses = new WeakSet<Response>()

function userResponse(response: Response): Response {
  userResponses.add(response)
  return response
}

/**
 * Security headers for everything the platform renders — pages, API, and its error pages for
 * dispatch (unknown worker, loop, failure) — but never for a user Worker's own response. Runs
 * first, so a page rendered from an error anywhere below still gets them.
 */
export const platformHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next()
  if (!userResponses.has(c.res)) await secure(c, async () => {})
}

/**
 * CSRF protection for form posts: a browser always sends Origin (and Sec-Fetch-Site) with a POST,
 * so a post from another site is refused. Non-browser clients (curl) send neither and pass.
 */
export const sameOriginPosts: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === 'POST') {
    const origin = c.req.header('origin')
    const site = c.req.header('sec-fetch-site')
    const crossOrigin = origin !== undefined && origin !== new URL(c.req.url).origin
    if (crossOrigin || site === 'cross-site') {
      throw new PlatformError('cross_site_request', 'This form can only be submitted from this platform’s own pages.')
    }
  }
  await next()
}

const RETRY_AFTER_SECONDS = 60

/** Counts an upload against the client IP's budget (UPLOAD_LIMITER); over budget → 429 + Retry-After. */
export async function enforceUploadRate(c: Context<AppEnv>): Promise<void> {
  const limiter = c.env.UPLOAD_LIMITER
  if (!limiter) return
  // On Cloudflare the address comes from CF-Connecting-IP, which the edge sets and clients cannot forge.
  const ip = getConnInfo(c).remote.address ?? 'unknown'
  const { success } = await limiter.limit({ key: `upload:${ip}` })
  if (!success) {
    throw new PlatformError('rate_limited', 'Too many uploads from your address. Wait a minute, then try again.', {
      'Retry-After': String(RETRY_AFTER_SECONDS),
    })
  }
}

/**
 * Headers whose effect outlives the response and covers the whole origin: on the shared origin
 * they would act on the platform and every other tenant.
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
 * would reach the parent domain — the platform and every other tenant — so it becomes host-only.
 * Responses without such a cookie pass untouched (no copy).
 */
export function keepCookiesOnHost(response: Response): Response {
  if (!response.headers.has('Set-Cookie')) return userResponse(response)
  const cookies = response.headers.getSetCookie()
  if (!cookies.some(hasDomainAttribute)) return userResponse(response)
  const rewritten = copyOf(response)
  rewritten.headers.delete('Set-Cookie')
  for (const cookie of cookies) rewritten.headers.append('Set-Cookie', withoutDomain(cookie))
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
