import { SESSION_TTL_MS } from '../accounts/accounts'
import { PlatformError, unknownToken } from '../core/errors'
import { isValidName } from '../core/names'
import { randomToken, sha256Hex } from '../lib/crypto'
import type { NameChanges } from './changes'
import { hashToken, type Credential } from './ownership'

// A console session opened with one worker's deploy token lives in that name's object, as an
// account's lives in the account's: the cookie names the worker and a secret,
//   s_w_<name>_<256 random bits, base64url>
// and only the secret's SHA-256 is stored, with the hash of the deploy token it was opened with.

const WORKER_SESSION = /^s_w_([a-z0-9-]{1,63})_([A-Za-z0-9_-]{43})$/

/** Whether a session value is a worker's (`s_w_…`), not an account's (`s_<account id>_…`). */
export function isWorkerSession(value: string): boolean {
  return value.startsWith('s_w_')
}

/** A live session of a worker's deploy token: the worker, and the credential it acts with. */
export interface WorkerSession {
  name: string
  credential: Credential
  expiresAt: string
}

/** Signing in to the console with a worker's deploy token, and the sessions that gives. */
export class WorkerSessions {
  constructor(private readonly parts: { changes: Pick<NameChanges, 'claim'>; now: () => number }) {}

  /**
   * A session for `name` when `token` is its current deploy token: kept in the name's object for
   * SESSION_TTL_MS, ended by a rotation, a delete, sign-out or its end. 401 (the one answer for
   * every refused token) otherwise.
   */
  async signIn(name: string, token: string): Promise<{ value: string; session: WorkerSession }> {
    if (name === '') throw new PlatformError('invalid_request', 'Give the name of the worker this deploy token is for.')
    if (!isValidName(name)) throw unknownToken()
    const value = `s_w_${name}_${randomToken(32)}`
    const now = this.parts.now()
    const opened = await this.parts.changes.claim(name).openSession(token, await sha256Hex(value), now, SESSION_TTL_MS)
    if (!opened) throw unknownToken()
    const credential: Credential = { admin: false, tokenHash: await hashToken(token) }
    return { value, session: { name, credential, expiresAt: new Date(now + SESSION_TTL_MS).toISOString() } }
  }

  /** The live session a cookie value names, or null (two reads in the name's object). */
  async session(value: string): Promise<WorkerSession | null> {
    const name = nameOf(value)
    if (!name) return null
    const found = await this.parts.changes.claim(name).session(await sha256Hex(value), this.parts.now())
    if (!found) return null
    return {
      name,
      credential: { admin: false, tokenHash: found.tokenHash },
      expiresAt: new Date(found.expiresAt).toISOString(),
    }
  }

  async signOut(value: string): Promise<void> {
    const name = nameOf(value)
    if (name) await this.parts.changes.claim(name).endSession(await sha256Hex(value))
  }
}

function nameOf(value: string): string | null {
  const name = WORKER_SESSION.exec(value)?.[1]
  return name && isValidName(name) ? name : null
}
