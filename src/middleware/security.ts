import type { Context, MiddlewareHandler } from 'hono'
import { getConnInfo } from 'hono/cloudflare-workers'
import { secureHeaders } from 'hono/secure-headers'
import type { AppEnv } from '../context'
import { CredentialError, PlatformError } from '../core/errors'
import { handleError } from '../routes/errors'
import { isUserResponse } from './confinement'

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

/**
 * Security headers for everything the platform renders — pages, API, and its error pages for
 * dispatch (unknown worker, loop, failure) — but never for a user Worker's own response, nor a
 * WebSocket's upgrade (a tail's: no document, and its headers are its Durable Object's). Runs
 * first, so a page rendered from an error anywhere below still gets them.
 */
export const platformHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next()
  if (!isUserResponse(c.res) && c.res.status !== 101) await secure(c, async () => {})
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
 * Counts every wrong credential (CredentialError: a token given and refused) against the client
 * IP's budget (AUTH_FAILURE_LIMITER). Over it, every refusal is a 429 with Retry-After, the same
 * whatever the token was (a request with a right token is not refused, so it still works). Tokens
 * carry 256 random bits: this bounds a client's noise and the logs' load, not the odds of a guess.
 */
export const limitFailedCredentials: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next()
  const limiter = c.env.AUTH_FAILURE_LIMITER
  if (!(c.error instanceof CredentialError) || !limiter) return
  const ip = getConnInfo(c).remote.address ?? 'unknown'
  const { success } = await limiter.limit({ key: `credential:${ip}` })
  if (success) return
  const tooMany = new PlatformError(
    'rate_limited',
    'Too many refused tokens from your address. Wait a minute, then try again.',
    { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  )
  c.res = await handleError(tooMany, c)
}
