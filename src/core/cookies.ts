// The platform's cookies: which names are its own, and how they are kept from tenants. The platform
// owns every cookie name that starts with `wfp_` (any case), with or without the browser's `__Host-`
// or `__Secure-` prefix: it strips them from every request it forwards to a user Worker
// (routes/dispatch.ts), and drops a user Worker's Set-Cookie for such a name
// (middleware/confinement.ts). Tenants' cookies of any other name pass as they are.

/** The prefix of every cookie name the platform owns (after an optional `__Host-` / `__Secure-`). */
export const PLATFORM_COOKIE_PREFIX = 'wfp_'

/** The console session's cookie, before the prefixes (see platformCookieName). */
export const SESSION_COOKIE = 'session'

/**
 * The name the platform sets a cookie of its own under, for a request to `url`. Over https it is
 * `__Host-wfp_<name>`: the browser then takes it only with `Secure`, `Path=/` and no `Domain`, so it
 * can never be scoped to a parent domain (where tenants live under host routing), nor overwritten by
 * a sibling host. Over plain http (`npm run dev`) it is `wfp_<name>`, as `__Host-` needs `Secure`,
 * which not every browser accepts without https. Set it `HttpOnly`, `SameSite=Lax` (or `Strict`),
 * and never with a `Domain` attribute.
 */
export function platformCookieName(name: string, url: URL | string): string {
  const secure = (typeof url === 'string' ? new URL(url) : url).protocol === 'https:'
  return `${secure ? '__Host-' : ''}${PLATFORM_COOKIE_PREFIX}${name}`
}

// Cheap first look: a header without the prefix anywhere holds no platform cookie.
const MENTIONS_PREFIX = /wfp_/i

/** Whether a cookie name is the platform's: `wfp_…`, `__Host-wfp_…` or `__Secure-wfp_…`, any case. */
export function isPlatformCookie(name: string): boolean {
  const lower = name.trim().toLowerCase()
  const start = lower.startsWith('__host-') ? 7 : lower.startsWith('__secure-') ? 9 : 0
  return lower.startsWith(PLATFORM_COOKIE_PREFIX, start)
}

/**
 * Whether one `name=value` pair of a Cookie header is the platform's. A pair holding a comma is
 * also judged by each name after a comma — two Cookie headers joined by a Headers object read
 * `a=1, wfp_x=2` — so that form cannot carry a platform cookie through either (the whole pair goes).
 */
function isPlatformPair(pair: string): boolean {
  if (!MENTIONS_PREFIX.test(pair)) return false
  for (const piece of pair.split(',')) {
    const end = piece.indexOf('=')
    if (isPlatformCookie(end < 0 ? piece : piece.slice(0, end))) return true
  }
  return false
}

/**
 * A Cookie header without the platform's cookies: the others keep their order, values and
 * separators; `undefined` when none is left. The same string when there was nothing to remove
 * (one case-insensitive scan for the prefix, then nothing else).
 */
export function withoutPlatformCookies(header: string): string | undefined {
  if (!MENTIONS_PREFIX.test(header)) return header
  const pairs = header.split(';')
  const kept = pairs.filter((pair) => !isPlatformPair(pair))
  if (kept.length === pairs.length) return header
  const rest = kept.join(';').trim()
  return rest === '' ? undefined : rest
}

/** Removes the platform's cookies from headers about to reach a user Worker; an empty Cookie header goes. */
export function stripPlatformCookies(headers: Headers): void {
  const header = headers.get('Cookie')
  if (header === null) return
  const rest = withoutPlatformCookies(header)
  if (rest === header) return
  if (rest === undefined) headers.delete('Cookie')
  else headers.set('Cookie', rest)
}

/** Whether a Set-Cookie header value (`name=value; attributes`) sets one of the platform's cookies. */
export function setsPlatformCookie(setCookie: string): boolean {
  const pair = setCookie.split(';', 1)[0] ?? ''
  // A pair without "=" is a value with an empty name (RFC 6265bis): never the platform's.
  return pair.includes('=') && isPlatformCookie(pair.slice(0, pair.indexOf('=')))
}

/** The value of cookie `name` in a Cookie header (the first, when sent twice); undefined when absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const pair of header.split(';')) {
    const end = pair.indexOf('=')
    if (end >= 0 && pair.slice(0, end).trim() === name) return pair.slice(end + 1).trim()
  }
  return undefined
}

/**
 * A Set-Cookie header for one of the platform's cookies on a request to `url` (`maxAgeSeconds` 0
 * clears it): `HttpOnly`, `SameSite=Lax` (or `Strict`: never sent with a navigation from another
 * site), `Path=/`, never a `Domain` (host-only: no tenant under host routing receives it), `Secure`
 * over https, where its name also takes the `__Host-` prefix.
 */
export function platformSetCookie(
  name: string,
  value: string,
  url: URL | string,
  maxAgeSeconds: number,
  sameSite: 'Lax' | 'Strict' = 'Lax',
): string {
  const secure = (typeof url === 'string' ? new URL(url) : url).protocol === 'https:'
  const attributes = ['Path=/', 'HttpOnly', `SameSite=${sameSite}`, `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`]
  if (secure) attributes.push('Secure')
  return [`${platformCookieName(name, url)}=${value}`, ...attributes].join('; ')
}
