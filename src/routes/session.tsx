import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import { SESSION_TTL_MS } from '../accounts/accounts'
import { looksLikeApiToken } from '../accounts/tokens'
import type { AppEnv } from '../context'
import { platformSetCookie, platformCookieName, readCookie, SESSION_COOKIE } from '../core/cookies'
import { CredentialError, PlatformError, unknownToken } from '../core/errors'
import { isValidName } from '../core/names'
import type { Credential } from '../names/ownership'
import { isWorkerSession } from '../names/worker-sessions'
import { limitActionBody } from '../middleware/platform'
import { SignInPage } from '../views/signin'
import { field, formToken, readForm } from './input'

// The console's session: signing in with an API token (a session in the account's Durable Object,
// accounts/account.do.ts) or with a worker's deploy token (in the name's object,
// names/sessions.ts), the cookie that names it, and the credential the pages act with when a form
// has no token. The cookie holds `s_<account id>_<secret>` or `s_w_<name>_<secret>`; only the
// secret's SHA-256 is stored. /api never reads the cookie: it takes `Authorization: Bearer` only.

/** Sign in, sign out. Mounted under the pages, so `sameOriginPosts` refuses cross-site posts to both. */
export const session = new Hono<AppEnv>()

/** A live console session, as the pages use it. */
export interface Signed {
  /** Who is signed in, for the layout: the account's name, or the worker's. */
  label: string
  /** What the pages act with: the account, or the worker's deploy token (as its hash). */
  credential: Credential
  /** The account, for an API token's session. */
  accountId?: string
  /** The worker, for a deploy token's session. */
  worker?: string
}

const lookups = new WeakMap<Request, Promise<Signed | null>>()

/** The request's live session (looked up once per request), or null: none, ended, expired, revoked. */
export function sessionOf(c: Context<AppEnv>): Promise<Signed | null> {
  let found = lookups.get(c.req.raw)
  if (!found) {
    found = lookUp(c)
    lookups.set(c.req.raw, found)
  }
  return found
}

async function lookUp(c: Context<AppEnv>): Promise<Signed | null> {
  const value = cookieOf(c)
  if (!value) return null
  const { accounts, workerSessions } = c.var.platform
  if (isWorkerSession(value)) {
    const found = await workerSessions.session(value)
    return found && { label: `${found.name} (deploy token)`, credential: found.credential, worker: found.name }
  }
  const found = await accounts.session(value)
  return (
    found && {
      label: found.accountName,
      credential: { admin: false, accountId: found.accountId, console: true },
      accountId: found.accountId,
    }
  )
}

/** What the layout shows: who is signed in, or null (the "Sign in" link). Signed-in pages are not stored. */
export async function signedInAs(c: Context<AppEnv>): Promise<{ label: string; account: boolean } | null> {
  const found = await sessionOf(c)
  if (found) c.header('Cache-Control', 'no-store')
  return found ? { label: found.label, account: found.accountId !== undefined } : null
}

/**
 * What a form's owner action on `name` proves itself with: the token typed in the form when there is
 * one (it wins: a deploy token for a worker outside the session's reach), else the session's
 * credential. A deploy token's session is no proof for another worker: that one asks for its token.
 */
export async function proofOf(
  c: Context<AppEnv>,
  name: string,
  typed: string | undefined,
): Promise<string | Credential | undefined> {
  if (typed !== undefined) return typed
  const found = await sessionOf(c)
  if (found?.worker !== undefined && found.worker !== name) return undefined
  return found?.credential
}

/** Whether the session may act on this worker (the account lists it, or it is the session's worker). */
export async function sessionActsOn(c: Context<AppEnv>, name: string): Promise<boolean> {
  const found = await sessionOf(c)
  if (!found) return false
  if (found.worker !== undefined) return found.worker === name
  return found.accountId !== undefined && c.var.platform.accounts.hasWorker(found.accountId, name)
}

/** The workers "Your workers" lists: the account's, or the session's one worker. */
export async function sessionWorkers(c: Context<AppEnv>): Promise<string[] | undefined> {
  const found = await sessionOf(c)
  if (!found) return undefined
  if (found.worker !== undefined) return [found.worker]
  return found.accountId ? (await c.var.platform.accounts.view(found.accountId)).workers : []
}

function cookieOf(c: Context<AppEnv>): string | undefined {
  return readCookie(c.req.header('cookie'), platformCookieName(SESSION_COOKIE, c.req.url))
}

session.get('/signin', (c) => {
  const worker = c.req.query('worker')
  return c.html(
    <SignInPage
      backend={c.var.platform.config.backend}
      worker={worker && isValidName(worker) ? worker : ''}
      sessionMs={SESSION_TTL_MS}
    />,
  )
})

session.post('/signin', limitActionBody, async (c) => {
  const platform = c.var.platform
  const body = await readForm(c.req)
  const worker = field(body, 'worker').trim()
  try {
    const token = formToken(body)
    if (!token) throw unknownToken()
    let value: string
    let back = isValidName(worker) ? worker : undefined
    if (looksLikeApiToken(token)) {
      value = (await platform.accounts.signIn(token)).value
    } else {
      value = (await platform.workerSessions.signIn(worker, token)).value
      back = worker
    }
    c.header('Set-Cookie', platformSetCookie(SESSION_COOKIE, value, c.req.url, SESSION_TTL_MS / 1000))
    c.header('Cache-Control', 'no-store')
    return c.redirect(back ? `/workers/${back}` : '/', 303)
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error
    // A refused token counts against the client's budget (limitFailedCredentials) as a thrown one does.
    if (error instanceof CredentialError) c.error = error
    // The same page for every refused token (unknown, revoked, malformed, wrong for the worker);
    // what was typed, except the token, stays.
    return c.html(
      <SignInPage backend={platform.config.backend} worker={worker} error={error.message} sessionMs={SESSION_TTL_MS} />,
      error.status,
      error.headers,
    )
  }
})

session.post('/signout', limitActionBody, async (c) => {
  const value = cookieOf(c)
  const { accounts, workerSessions } = c.var.platform
  if (value) await (isWorkerSession(value) ? workerSessions.signOut(value) : accounts.signOut(value))
  c.header('Set-Cookie', platformSetCookie(SESSION_COOKIE, '', c.req.url, 0))
  c.header('Cache-Control', 'no-store')
  return c.redirect('/', 303)
})
