import { platformCookieName, platformSetCookie, readCookie } from '../core/cookies'

export { VERSION_HEADERS } from '../deploy/rollouts'

/** The cookie that keeps a visitor's rollout key on an origin (the platform's own cookie: tenants never see it). */
const VISITOR_COOKIE = 'visitor'
const VISITOR_DAYS = 30

/**
 * A visitor's key for gradual rollouts (deploy/rollouts.ts): the platform's cookie on this origin
 * when the browser sent it, else one made from the client's IP — which is then set as the cookie,
 * so a browser keeps its bucket when its IP changes, and a client that keeps no cookies keeps its
 * bucket by its IP. Looked at only when the worker has a rollout.
 */
export class RolloutVisitor {
  private made: string | undefined

  constructor(
    private readonly request: Request,
    private readonly url: URL,
  ) {}

  key(): string {
    const sent = readCookie(
      this.request.headers.get('Cookie') ?? undefined,
      platformCookieName(VISITOR_COOKIE, this.url),
    )
    if (sent) return sent
    this.made ??= `ip.${ipDigest(this.request.headers.get('CF-Connecting-IP') ?? '')}`
    return this.made
  }

  /** The response, with the cookie when a key was made for this visitor (a copy only then). */
  remembered(response: Response): Response {
    // A WebSocket upgrade cannot be copied: its visitor is keyed by IP again next time.
    if (this.made === undefined || response.status === 101) return response
    const copy = new Response(response.body, response)
    copy.headers.append('Set-Cookie', platformSetCookie(VISITOR_COOKIE, this.made, this.url, VISITOR_DAYS * 86_400))
    return copy
  }
}

/** The IP as a short digest (FNV-1a): the cookie need not carry the address itself. */
function ipDigest(ip: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < ip.length; i++) hash = Math.imul(hash ^ ip.charCodeAt(i), 0x01000193)
  return (hash >>> 0).toString(36)
}
