import { AuditJournal } from '../audit/audit-journal'
import type { AuditEntry, AuditSource } from '../audit/audit-events'
import { DurableObject } from 'cloudflare:workers'
import { looseObject, nullish, optional, string, type GenericSchema } from 'valibot'
import { parseStored } from '../core/schema'
import { randomToken } from '../lib/crypto'
import { MAX_TOKENS_PER_ACCOUNT } from './tokens'
import { AccountBudget, type AccountLease } from './account-budget'

/** An account: who signed up, and when. */
export interface AccountInfo {
  accountId: string
  name: string
  createdAt: string
}

/** One API token of an account as it is listed: never its value, which is shown once. */
export interface ApiTokenInfo {
  id: string
  name: string
  createdAt: string
  lastUsedAt?: string
  revokedAt?: string
}

/**
 * A console session, as its account's object keeps it (under the SHA-256 of its secret): the token
 * it was opened with, so revoking that token ends it, and when it ends.
 */
export interface SessionInfo {
  accountId: string
  accountName: string
  tokenId: string
  expiresAt: string
}

/** What an account holds: its tokens (revoked ones too, for the record) and the workers it owns. */
export interface AccountView extends AccountInfo {
  tokens: ApiTokenInfo[]
  workers: string[]
  /** Stopped by the platform's operator (operators/suspensions.ts), with its workers. */
  suspended?: AccountSuspension
}

/** Why and since when the operator suspended an account. */
export interface AccountSuspension {
  at: string
  reason: string
}

const suspensionSchema: GenericSchema<AccountSuspension> = looseObject({ at: string(), reason: string() })

const accountSchema: GenericSchema<AccountInfo> = looseObject({
  accountId: string(),
  name: string(),
  createdAt: string(),
})
const tokenSchema: GenericSchema<ApiTokenInfo> = looseObject({
  id: string(),
  name: string(),
  createdAt: string(),
  lastUsedAt: optional(string()),
  revokedAt: optional(string()),
})

const sessionSchema: GenericSchema<SessionInfo> = looseObject({
  accountId: string(),
  accountName: string(),
  tokenId: string(),
  expiresAt: string(),
})

/** Last-used times are written at most this often per token: a busy token costs no write per request. */
const LAST_USED_EVERY_MS = 60_000

const tokenKey = (id: string) => `token/${id}`
const hashKey = (hash: string) => `hash/${hash}`
const workerKey = (name: string) => `worker/${name}`
const sessionKey = (hash: string) => `session/${hash}`

/** The most live sessions an account keeps: signing in once more ends the one that would end first. */
export const MAX_SESSIONS_PER_ACCOUNT = 100

/**
 * One object per account (SQLite-backed): its API tokens, by the SHA-256 of their secret, and the
 * names of the workers it owns. Checking a token is one read here, strongly consistent: a revoked
 * token is refused by the next request, on every isolate. The name's own object stays the authority
 * on who owns a name; the list here is what the account's pages show.
 */
export class Account extends DurableObject<Env> {
  /** Its changes, who made them and from where (audit/): the account is the owner of its entries. */
  private readonly audit = new AuditJournal(this.ctx.storage, this.env)
  /** Its daily request budget and the day's leases (account-budget.ts). */
  private readonly budget = new AccountBudget(this.ctx.storage.sql)

  /** Leases requests of `day` to an isolate within the account's budget (budgets/account-allowances.ts). */
  lease(day: number, defaultLimit: number): AccountLease {
    return this.budget.lease(day, defaultLimit)
  }

  /** The admin's own daily request budget (null: the platform's default) and what was leased of `day`. */
  budgetOf(day: number): { requestsPerDay: number | null; leased: number } {
    return { requestsPerDay: this.budget.override(), leased: this.budget.leased(day) }
  }

  /** Sets the account's own daily request budget, or with null resets it to the default; false for an unknown account. */
  async setBudget(requestsPerDay: number | null, source: AuditSource): Promise<boolean> {
    if (!(await this.info())) return false
    this.budget.setOverride(requestsPerDay)
    const detail =
      requestsPerDay === null
        ? 'Daily request budget of the account reset to the platform’s default.'
        : `Daily request budget of the account set to ${requestsPerDay}.`
    await this.record([{ action: 'budget', detail }], source)
    return true
  }

  /** Records the account with its first token; false when it exists already. */
  async open(
    info: AccountInfo,
    firstToken: { name: string; hash: string },
    source: AuditSource,
  ): Promise<ApiTokenInfo | null> {
    if (await this.info()) return null
    await this.ctx.storage.put('account', info)
    const token = await this.addToken(firstToken.name, firstToken.hash, info.createdAt)
    await this.record(
      [{ action: 'account-create', detail: `Created the account “${info.name}” and its ${tokenWords(token)}.` }],
      source,
      info.accountId,
    )
    return token
  }

  /** The ID of the live token whose secret has this hash (null: none); notes when it was last used. */
  async verify(hash: string, now = Date.now()): Promise<string | null> {
    const id = parseStored(nullish(string(), null), await this.ctx.storage.get(hashKey(hash)), 'A token index entry')
    if (!id) return null
    const token = await this.token(id)
    if (!token || token.revokedAt) return null
    if (!token.lastUsedAt || now - Date.parse(token.lastUsedAt) >= LAST_USED_EVERY_MS) {
      await this.ctx.storage.put(tokenKey(id), { ...token, lastUsedAt: new Date(now).toISOString() })
    }
    return id
  }

  /**
   * Opens a session for the live token with hash `tokenHash`, kept under `sessionHash` until
   * `now + ttlMs`; null when the token is not live. Ended sessions go first, and past
   * MAX_SESSIONS_PER_ACCOUNT the one that would end first.
   */
  async openSession(tokenHash: string, sessionHash: string, now: number, ttlMs: number): Promise<SessionInfo | null> {
    const tokenId = await this.verify(tokenHash, now)
    const info = tokenId ? await this.info() : undefined
    if (!tokenId || !info) return null
    const live = await this.sessions()
    const ended = live.filter(([, session]) => Date.parse(session.expiresAt) <= now)
    const kept = live.filter(([, session]) => Date.parse(session.expiresAt) > now)
    kept.sort(([, a], [, b]) => a.expiresAt.localeCompare(b.expiresAt))
    const over = kept.slice(0, Math.max(0, kept.length - MAX_SESSIONS_PER_ACCOUNT + 1))
    const session: SessionInfo = {
      accountId: info.accountId,
      accountName: info.name,
      tokenId,
      expiresAt: new Date(now + ttlMs).toISOString(),
    }
    await this.ctx.storage.transaction(async (txn) => {
      const gone = [...ended, ...over].map(([key]) => key)
      if (gone.length > 0) await txn.delete(gone)
      await txn.put(sessionKey(sessionHash), session)
    })
    return session
  }

  /** The live session kept under this hash: one read. Null when it is unknown, ended or expired. */
  async session(hash: string, now: number): Promise<SessionInfo | null> {
    const session = parseStored(optional(sessionSchema), await this.ctx.storage.get(sessionKey(hash)), 'A session')
    if (!session) return null
    if (Date.parse(session.expiresAt) <= now) {
      await this.ctx.storage.delete(sessionKey(hash))
      return null
    }
    return session
  }

  /** Ends a session (signing out): the next request with it is refused. */
  async endSession(hash: string): Promise<void> {
    await this.ctx.storage.delete(sessionKey(hash))
  }

  /** A further token; null when the account already has MAX_TOKENS_PER_ACCOUNT live ones. */
  async createToken(name: string, hash: string, source: AuditSource): Promise<ApiTokenInfo | null> {
    const live = (await this.tokens()).filter((token) => !token.revokedAt)
    if (live.length >= MAX_TOKENS_PER_ACCOUNT) return null
    const token = await this.addToken(name, hash, new Date().toISOString())
    await this.record([{ action: 'api-token-issue', detail: `Issued the ${tokenWords(token)}.` }], source)
    return token
  }

  /** Revokes a token at once; false when the account has no such live token. */
  async revokeToken(id: string, source: AuditSource): Promise<boolean> {
    const token = await this.token(id)
    if (!token || token.revokedAt) return false
    const hashes = await this.ctx.storage.list({ prefix: 'hash/' })
    const indexed = [...hashes].filter(([, tokenId]) => tokenId === id).map(([key]) => key)
    // Its sessions end with it: a session is checked with one read, of the session alone.
    const sessions = (await this.sessions()).filter(([, session]) => session.tokenId === id).map(([key]) => key)
    await this.ctx.storage.transaction(async (txn) => {
      await txn.put(tokenKey(id), { ...token, revokedAt: new Date().toISOString() })
      await txn.delete([...indexed, ...sessions])
    })
    await this.record([{ action: 'api-token-revoke', detail: `Revoked the ${tokenWords(token)}.` }], source)
    return true
  }

  async view(): Promise<AccountView | null> {
    const info = await this.info()
    if (!info) return null
    const workers = [...(await this.ctx.storage.list({ prefix: 'worker/' })).keys()].map((key) => key.slice(7))
    const suspended = await this.suspension()
    return { ...info, tokens: await this.tokens(), workers, ...(suspended ? { suspended } : {}) }
  }

  /** The operator's suspension of the account, or null. */
  async suspension(): Promise<AccountSuspension | null> {
    return parseStored(nullish(suspensionSchema, null), await this.ctx.storage.get('suspended'), 'The suspension')
  }

  /** Suspends the account (its new workers are refused; operators/suspensions.ts suspends the others), or with null resumes it. */
  async suspend(suspension: AccountSuspension | null, source: AuditSource): Promise<void> {
    if (suspension) await this.ctx.storage.put('suspended', suspension)
    else await this.ctx.storage.delete('suspended')
    const entry: AuditEntry = suspension
      ? { action: 'account-suspend', detail: `Suspended the account: ${suspension.reason}` }
      : { action: 'account-resume', detail: 'Resumed the account.' }
    await this.record([entry], source)
  }

  /** Copies its audit entries to the platform's trail (audit/audit-journal.ts). */
  override async alarm(): Promise<void> {
    const info = await this.info()
    await this.audit.forward(info && { accountId: info.accountId }, Date.now())
    if (this.audit.pending) await this.ctx.storage.setAlarm(Date.now() + 60_000)
  }

  /** Appends to the account's audit log and wakes the alarm that copies it to the trail. */
  private async record(entries: AuditEntry[], source: AuditSource, accountId?: string): Promise<void> {
    const owner = accountId ?? (await this.info())?.accountId
    if (!owner) return
    this.audit.record(entries, source, owner)
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now())
  }

  /** Whether the account lists this worker (what its pages show; the name's object is the authority). */
  async hasWorker(name: string): Promise<boolean> {
    return (await this.ctx.storage.get(workerKey(name))) !== undefined
  }

  async addWorker(name: string): Promise<void> {
    await this.ctx.storage.put(workerKey(name), true)
  }

  async removeWorker(name: string): Promise<void> {
    await this.ctx.storage.delete(workerKey(name))
  }

  private async addToken(name: string, hash: string, createdAt: string): Promise<ApiTokenInfo> {
    const token: ApiTokenInfo = { id: `tok_${randomToken(9)}`, name, createdAt }
    await this.ctx.storage.transaction(async (txn) => {
      await txn.put(tokenKey(token.id), token)
      await txn.put(hashKey(hash), token.id)
    })
    return token
  }

  private async info(): Promise<AccountInfo | undefined> {
    return parseStored(optional(accountSchema), await this.ctx.storage.get('account'), 'The account')
  }

  private async token(id: string): Promise<ApiTokenInfo | undefined> {
    return parseStored(optional(tokenSchema), await this.ctx.storage.get(tokenKey(id)), `The token ${id}`)
  }

  private async sessions(): Promise<[string, SessionInfo][]> {
    const stored = await this.ctx.storage.list({ prefix: 'session/' })
    return [...stored].map(([key, value]) => [key, parseStored(sessionSchema, value, 'A stored session')])
  }

  private async tokens(): Promise<ApiTokenInfo[]> {
    const stored = await this.ctx.storage.list({ prefix: 'token/' })
    return [...stored.values()]
      .map((value) => parseStored(tokenSchema, value, 'A stored token'))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  }
}

/** A token as the audit log names it: by its name and ID, never its value. */
function tokenWords(token: ApiTokenInfo): string {
  return `API token “${token.name}” (${token.id})`
}
