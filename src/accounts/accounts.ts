import type { RequestScope } from '../core/follow-up'
import { auditSourceAs } from '../audit/sources'
import { PlatformError, unknownToken } from '../core/errors'
import { bestEffort } from '../core/follow-up'
import { sha256Hex } from '../lib/crypto'
import type { AccountIndex } from './account-index'
import type { Account, AccountSuspension, AccountView, ApiTokenInfo } from './account.do'
import {
  MAX_TOKENS_PER_ACCOUNT,
  newAccountId,
  newApiToken,
  newSessionValue,
  parseApiToken,
  parseSessionValue,
} from './tokens'

/** How long a console session lasts after signing in (then the console asks for the token again). */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000

/** A live console session: the account it acts for, and when it ends. */
export interface Session {
  accountId: string
  accountName: string
  expiresAt: string
}

/** A session just opened: its value (the cookie's, shown to no one else), and what it is. */
export interface OpenedSession {
  value: string
  session: Session
}

/** An API token as it is handed out: its listing, and its value, this once. */
export interface IssuedToken extends ApiTokenInfo {
  value: string
}

/**
 * Accounts and their API tokens: sign up, check a token, issue and revoke more. Their audit log
 * names who acted as `signup` (the account's creation), `account:<id>` (its own API token or console
 * session: its tokens) or `admin` (a suspension).
 */
export class Accounts {
  constructor(
    private readonly parts: {
      accounts: DurableObjectNamespace<Account>
      /** The admin page's list of accounts (account-index.ts). */
      index: Pick<AccountIndex, 'noteAccount' | 'noteWorker' | 'forgetWorker'>
      now: () => number
    },
  ) {}

  /** A new account and its first API token. */
  async create(name: string, scope: RequestScope): Promise<{ account: AccountView; token: IssuedToken }> {
    const accountId = newAccountId()
    const value = newApiToken(accountId)
    const account = this.account(accountId)
    const createdAt = new Date(this.parts.now()).toISOString()
    // Noted first: the index may hold an account that failed to open (skipped), never miss one that did.
    await this.parts.index.noteAccount({ accountId, name, createdAt })
    const first = await account.open(
      { accountId, name, createdAt },
      { name: 'first token', hash: await hashOf(value) },
      auditSourceAs('signup', scope),
    )
    // 64 random bits: a collision is not expected in the life of the platform, but is refused, not merged.
    if (!first) throw new PlatformError('name_taken', 'Could not create the account: try again.')
    return { account: { accountId, name, createdAt, tokens: [first], workers: [] }, token: { ...first, value } }
  }

  /** The account an API token speaks for, or null when the token is not a live one. */
  async authenticate(token: string): Promise<string | null> {
    const parsed = parseApiToken(token)
    if (!parsed) return null
    return (await this.account(parsed.accountId).verify(await hashOf(token), this.parts.now()))
      ? parsed.accountId
      : null
  }

  /**
   * Signs in to the console with an API token: a session in the account's object, kept as the
   * SHA-256 of a fresh 256-bit secret with the token it came from, for SESSION_TTL_MS. 401 (the
   * same as every refused token) when the token is not live.
   */
  async signIn(token: string): Promise<OpenedSession> {
    const parsed = parseApiToken(token)
    if (!parsed) throw unknownToken()
    const value = newSessionValue(parsed.accountId)
    const now = this.parts.now()
    const opened = await this.account(parsed.accountId).openSession(
      await hashOf(token),
      await hashOf(value),
      now,
      SESSION_TTL_MS,
    )
    if (!opened) throw unknownToken()
    return { value, session: sessionOf(opened) }
  }

  /**
   * The live session a cookie value names (one read in its account's object), or null: unknown,
   * signed out, expired, or its token revoked.
   */
  async session(value: string | undefined): Promise<Session | null> {
    const parsed = value ? parseSessionValue(value) : null
    if (!value || !parsed) return null
    const found = await this.account(parsed.accountId).session(await hashOf(value), this.parts.now())
    return found ? sessionOf(found) : null
  }

  /** Ends the session a cookie value names, if it is one. */
  async signOut(value: string | undefined): Promise<void> {
    const parsed = value ? parseSessionValue(value) : null
    if (!value || !parsed) return
    await this.account(parsed.accountId).endSession(await hashOf(value))
  }

  /** Whether the account lists the worker (for the console: the name's object decides each action). */
  hasWorker(accountId: string, name: string): Promise<boolean> {
    return this.account(accountId).hasWorker(name)
  }

  /** The account of a live API token, or 401 (the same for unknown, revoked and malformed tokens). */
  async require(token: string | undefined): Promise<string> {
    const accountId = token ? await this.authenticate(token) : null
    if (!accountId) throw unknownToken()
    return accountId
  }

  /** The operator's suspension of an account, or null (an unknown account has none). */
  suspension(accountId: string): Promise<AccountSuspension | null> {
    return this.account(accountId).suspension()
  }

  /** Suspends an account, or with null resumes it; 404 for an account that does not exist. */
  async suspend(accountId: string, suspension: AccountSuspension | null, scope: RequestScope): Promise<AccountView> {
    const view = await this.account(accountId).view()
    if (!view) throw new PlatformError('not_found', `There is no account "${accountId}".`)
    await this.account(accountId).suspend(suspension, auditSourceAs('admin', scope))
    const { suspended: _previous, ...rest } = view
    return suspension ? { ...rest, suspended: suspension } : rest
  }

  async view(accountId: string): Promise<AccountView> {
    const view = await this.account(accountId).view()
    if (!view) throw unknownToken()
    return view
  }

  async issueToken(accountId: string, name: string, scope: RequestScope): Promise<IssuedToken> {
    const value = newApiToken(accountId)
    const token = await this.account(accountId).createToken(
      name,
      await hashOf(value),
      auditSourceAs(`account:${accountId}`, scope),
    )
    if (!token) {
      throw new PlatformError(
        'invalid_request',
        `An account may have at most ${MAX_TOKENS_PER_ACCOUNT} live tokens: revoke one first.`,
      )
    }
    return { ...token, value }
  }

  async revokeToken(accountId: string, tokenId: string, scope: RequestScope): Promise<void> {
    if (!(await this.account(accountId).revokeToken(tokenId, auditSourceAs(`account:${accountId}`, scope)))) {
      throw new PlatformError('not_found', `This account has no live token "${tokenId}".`)
    }
  }

  /**
   * Sets an account's own daily request budget (0: no limit), or with null resets it to the
   * platform's default; 404 for an account that does not exist. The caller checked it is an admin.
   */
  async setBudget(accountId: string, requestsPerDay: number | null, scope: RequestScope): Promise<void> {
    if (!(await this.account(accountId).setBudget(requestsPerDay, auditSourceAs('admin', scope)))) {
      throw new PlatformError('not_found', `There is no account "${accountId}".`)
    }
  }

  /** An account's own daily request budget (null: the platform's default) and what its workers leased of `day`. */
  budgetOf(accountId: string, day: number): Promise<{ requestsPerDay: number | null; leased: number }> {
    return this.account(accountId).budgetOf(day)
  }

  /** Lists a worker under its account (after the name's object recorded the account as its owner). */
  async addWorker(accountId: string, name: string): Promise<void> {
    await this.account(accountId).addWorker(name)
    // The admin page's index only: a failure loses a row's account until the worker's next deploy.
    await bestEffort(`index "${name}" under its account`, () =>
      this.parts.index.noteWorker(accountId, name, () => this.account(accountId).view()),
    )
  }

  async removeWorker(accountId: string, name: string): Promise<void> {
    await this.account(accountId).removeWorker(name)
    await bestEffort(`unindex "${name}" from its account`, () => this.parts.index.forgetWorker(accountId, name))
  }

  private account(accountId: string): DurableObjectStub<Account> {
    return this.parts.accounts.getByName(accountId)
  }
}

function sessionOf({ accountId, accountName, expiresAt }: Session): Session {
  return { accountId, accountName, expiresAt }
}

/** Tokens are kept as the SHA-256 of their whole value (256 random bits: no salt or slow hash needed). */
function hashOf(token: string): Promise<string> {
  return sha256Hex(token)
}
