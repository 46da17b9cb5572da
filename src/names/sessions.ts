import { looseObject, number, optional, string, type GenericSchema } from 'valibot'
import { parseStored } from '../core/schema'
import { secretsEqual } from '../lib/crypto'
import type { Owner } from './ownership'

/** A console session opened with a name's deploy token: bound to that token, until `expiresAt`. */
export interface NameSession {
  /** The hash of the deploy token it was opened with: a rotated token (or a new owner) ends it. */
  tokenHash: string
  expiresAt: number
}

const sessionSchema: GenericSchema<NameSession> = looseObject({ tokenHash: string(), expiresAt: number() })

const sessionKey = (hash: string) => `session/${hash}`

/** The most live sessions one name keeps: signing in once more ends the one that would end first. */
export const MAX_SESSIONS_PER_NAME = 20

/**
 * Console sessions opened with a worker's deploy token, in the name's object (an account's sessions
 * live in its own object): each under the SHA-256 of its secret. Checking one reads it and the owner;
 * it stands only while the owner's deploy token is still the one it was opened with.
 */
export class NameSessions {
  constructor(private readonly storage: DurableObjectStorage) {}

  /** Opens a session for `tokenHash` when it is the owner's current deploy token; false otherwise. */
  async open(
    owner: Owner | undefined,
    tokenHash: string,
    sessionHash: string,
    now: number,
    ttlMs: number,
  ): Promise<boolean> {
    if (!owner || !(await secretsEqual(tokenHash, owner.tokenHash))) return false
    const stored = [...(await this.storage.list({ prefix: 'session/' }))].map(
      ([key, value]) => [key, parseStored(sessionSchema, value, 'A stored session')] as const,
    )
    const live = stored.filter(([, session]) => session.expiresAt > now && session.tokenHash === owner.tokenHash)
    live.sort(([, a], [, b]) => a.expiresAt - b.expiresAt)
    const over = live.slice(0, Math.max(0, live.length - MAX_SESSIONS_PER_NAME + 1)).map(([key]) => key)
    const ended = stored.filter(([, session]) => !live.some(([, kept]) => kept === session)).map(([key]) => key)
    await this.storage.transaction(async (txn) => {
      if (ended.length + over.length > 0) await txn.delete([...ended, ...over])
      await txn.put(sessionKey(sessionHash), { tokenHash, expiresAt: now + ttlMs } satisfies NameSession)
    })
    return true
  }

  /** The live session under this hash, or null: unknown, ended, expired, or its token no longer the owner's. */
  async check(owner: Owner | undefined, hash: string, now: number): Promise<NameSession | null> {
    const session = parseStored(optional(sessionSchema), await this.storage.get(sessionKey(hash)), 'A session')
    if (!session) return null
    if (session.expiresAt <= now || !owner || !(await secretsEqual(session.tokenHash, owner.tokenHash))) {
      await this.storage.delete(sessionKey(hash))
      return null
    }
    return session
  }

  async end(hash: string): Promise<void> {
    await this.storage.delete(sessionKey(hash))
  }
}
