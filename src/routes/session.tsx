import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import { SESSION_TTL_MS, unknownToken, type Session } from '../accounts/accounts'
import type { AppEnv } from '../context'
import { platformSetCookie, platformCookieName, readCookie, SESSION_COOKIE } from '../core/cookies'
import { PlatformError } from '../core/errors'
import { isValidName } from '../core/names'
import type { Credential } from '../names/ownership'
import { limitActionBody } from '../middleware/platform'
import { SignInPage } from '../views/signin'
import { field, formToken, readForm } from './input'

// The console's session: signing in with an API token, the cookie that names the session, and the
// credential the pages act with when a form has no token. The session lives in the account's
// Durable Object (accounts/account.do.ts); the cookie holds `s_<account id>_<secret>`, and only its
// SHA-256 is stored. /api never reads the cookie: it takes `Authorization: Bearer` only.

/** Sign in, sign out. Mounted under the pages, so `sameOriginPosts` refuses cross-site posts to both. */
export const session = new Hono<AppEnv>()

const lookups = new WeakMap<Request, Promise<Session | null>>()

/** The request's live session (looked up once per request), or null: none, ended, expired, revoked. */
export function sessionOf(c: Context<AppEnv>): Promise<Session | null> {
  let found = lookups.get(c.req.raw)
  if (!found) {
    found = c.var.platform.accounts.session(cookieOf(c))
    lookups.set(c.req.raw, found)
  }
  return found
}

/** What the layout shows: the account's name, or null (the "Sign in" link). */
export async function signedInAs(c: Context<AppEnv>): Promise<{ accountName: string } | null> {
  const found = await sessionOf(c)
  if (found) c.header('Cache-Control', 'no-store')
  return found ? { accountName: found.accountName } : null
}

/** The credential a signed-in console acts with: its account, as an API token of it would. */
export function credentialOf(found: Session): Credential {
  return { admin: false, accountId: found.accountId }
}

/**
 * What a form's owner action proves itself with: the token typed in the form when there is one
 * (it wins: a deploy token for a worker outside the account), else the session's account.
 */
export async function proofOf(c: Context<AppEnv>, typed: string | undefined): Promise<string | Credential | undefined> {
  if (typed !== undefined) return typed
  const found = await sessionOf(c)
  return found ? credentialOf(found) : undefined
}

/** Whether the signed-in account lists this worker: then its pages ask for no token. */
export async function sessionActsOn(c: Context<AppEnv>, name: string): Promise<boolean> {
  const found = await sessionOf(c)
  return found !== null && (await c.var.platform.accounts.hasWorker(found.accountId, name))
}

function cookieOf(c: Context<AppEnv>): string | undefined {
  return readCookie(c.req.header('cookie'), platformCookieName(SESSION_COOKIE, c.req.url))
}

session.get('/signin', (c) => {
  const worker = c.req.query('worker')
  return c.html(
    <SignInPage
      backend={c.var.platform.config.backend}
      worker={worker && isValidName(worker) ? worker : undefined}
      sessionMs={SESSION_TTL_MS}
    />,
  )
})

session.post('/signin', limitActionBody, async (c) => {
  const platform = c.var.platform
  const body = await readForm(c.req)
  const worker = field(body, 'worker')
  const back = isValidName(worker) ? worker : undefined
  try {
    const token = formToken(body)
    if (!token) throw unknownToken()
    const opened = await platform.accounts.signIn(token)
    c.header('Set-Cookie', platformSetCookie(SESSION_COOKIE, opened.value, c.req.url, SESSION_TTL_MS / 1000))
    c.header('Cache-Control', 'no-store')
    return c.redirect(back ? `/workers/${back}` : '/', 303)
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error
    // The same page for every refused token (unknown, revoked, malformed, a deploy token); only the
    // token is not sent back.
    return c.html(
      <SignInPage backend={platform.config.backend} worker={back} error={error.message} sessionMs={SESSION_TTL_MS} />,
      error.status,
      error.headers,
    )
  }
})

session.post('/signout', limitActionBody, async (c) => {
  await c.var.platform.accounts.signOut(cookieOf(c))
  c.header('Set-Cookie', platformSetCookie(SESSION_COOKIE, '', c.req.url, 0))
  c.header('Cache-Control', 'no-store')
  return c.redirect('/', 303)
})
