import type { Context } from 'hono'
import type { AppEnv } from '../context'
import { platformCookieName, platformSetCookie, readCookie } from '../core/cookies'
import type { Credential } from '../names/ownership'
import { ADMIN_COOKIE, ADMIN_SESSION_TTL_MS } from '../operators/admin-sessions'

// The admin page's session (operators/admin-sessions.ts): a signed cookie of its own, apart from the
// console's (an account's or a worker's session), `SameSite=Strict` so no other site's link or form
// carries it. /api never reads it: the admin API takes ADMIN_TOKEN as a Bearer token only.

/** What an action proves itself with in a live admin session: the operator, established by the cookie. */
const ADMIN: Credential = { admin: true }

const checked = new WeakMap<Request, Promise<boolean>>()

/** Whether the request carries a live admin session (checked once per request). */
export function isAdminSession(c: Context<AppEnv>): Promise<boolean> {
  let found = checked.get(c.req.raw)
  if (!found) {
    const value = readCookie(c.req.header('cookie'), platformCookieName(ADMIN_COOKIE, c.req.url))
    found = c.var.platform.adminSessions.check(value)
    checked.set(c.req.raw, found)
  }
  return found
}

/** The proof of an admin action: a token typed in the form wins, else the session's, else none (401). */
export async function adminProof(c: Context<AppEnv>, typed?: string): Promise<string | Credential | undefined> {
  if (typed !== undefined) return typed
  return (await isAdminSession(c)) ? ADMIN : undefined
}

/** The Set-Cookie of a new admin session (`value` from AdminSessions.signIn), or with '' the one that clears it. */
export function adminSetCookie(c: Context<AppEnv>, value: string): string {
  return platformSetCookie(ADMIN_COOKIE, value, c.req.url, value ? ADMIN_SESSION_TTL_MS / 1000 : 0, 'Strict')
}
