import { budgetSpent, heldFor } from './day-state'
import type { AccountLease } from '../accounts/account-budget'
import { PlatformError } from '../core/errors'
import type { WorkerRecord } from '../core/model'
import { DAY_MS, dayOf } from '../metrics/metrics'

/** Where an account's day is leased from: its Account object (accounts/account-budget.ts). */
export interface AccountLeaseStore {
  getByName(accountId: string): { lease(day: number, defaultLimit: number): Promise<AccountLease> }
}

/**
 * How long an isolate trusts what it last heard of an account's budget: "no limit", or "spent"
 * (an admin may raise or set it meanwhile). One object call per account and isolate per this.
 */
export const ACCOUNT_RECHECK_MS = 60_000

/**
 * Daily request budgets per account, across all its workers (docs/operators.md#budgets), as
 * Allowances does per worker: each isolate leases blocks of the account's day from its Account
 * object, which grants no more than the budget in all, so the account's workers together never
 * serve more than it (bound 0, but for requests served while the object could not be reached);
 * leased and unserved blocks are lost (fewer served, by at most a block per isolate). The object's
 * answer carries the budget in force, so dispatch learns an admin's override without another read.
 */
export class AccountAllowances {
  private readonly held = new Map<string, AccountAllowance>()

  constructor(
    private readonly store: AccountLeaseStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes one request of the account's day, or refuses (429 until midnight UTC) when its budget is
   * spent. A worker with no account pays nothing; one whose account has no budget pays a map lookup,
   * and an object call per isolate every ACCOUNT_RECHECK_MS (each request that arrives before the
   * first answer asks for itself: a promise shared across requests hangs them in workerd).
   */
  async take(record: WorkerRecord, defaultLimit: number): Promise<void> {
    const { accountId } = record
    if (accountId === undefined) return
    const now = this.now()
    const allowance = this.allowanceOf(accountId, dayOf(now))
    while (allowance.left === 0) {
      const fresh = now - allowance.heardAt < ACCOUNT_RECHECK_MS
      if (fresh && allowance.limit === 0) return
      if (fresh && allowance.spent) throw overAccountBudget(accountId, allowance.limit, allowance.day + DAY_MS - now)
      const answer = await this.lease(accountId, allowance.day, defaultLimit)
      if (answer === null) return
      allowance.heardAt = now
      allowance.limit = answer.limit
      allowance.left += answer.granted
      allowance.spent = answer.limit > 0 && answer.granted === 0 && allowance.left === 0
    }
    allowance.left -= 1
  }

  /** Gives back a request `take` took, which was then refused by the worker's own budget: it stays the account's. */
  giveBack(record: WorkerRecord): void {
    const allowance = record.accountId === undefined ? undefined : this.held.get(record.accountId)
    if (allowance && allowance.day === dayOf(this.now()) && allowance.limit > 0) allowance.left += 1
  }

  /** Leases from the account's object, asking twice; null (served without an allowance, as Allowances) when it cannot be reached. */
  private async lease(accountId: string, day: number, defaultLimit: number): Promise<AccountLease | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await this.store.getByName(accountId).lease(day, defaultLimit)
      } catch {
        // Asked again once; the error's message may name internals, so only that it failed is logged.
      }
    }
    console.warn(`could not lease the budget of account ${accountId}; served without an allowance`)
    return null
  }

  private allowanceOf(accountId: string, day: number): AccountAllowance {
    const fresh = () => ({ day, limit: 0, left: 0, spent: false, heardAt: -Infinity })
    return heldFor(this.held, accountId, (held) => held.day !== day, fresh)
  }
}

/** What an isolate holds of an account's day: requests leased and unserved, the budget last heard, whether spent. */
interface AccountAllowance {
  day: number
  limit: number
  left: number
  spent: boolean
  heardAt: number
}

/** 429 naming the account's budget, with Retry-After at the next UTC midnight. */
function overAccountBudget(accountId: string, limit: number, untilResetMs: number): PlatformError {
  return budgetSpent(
    `The account ${accountId} has served its budget of ${limit} requests today (UTC), across all its workers; they serve again at midnight UTC.`,
    untilResetMs,
  )
}
