import type { RequestScope } from '../core/follow-up'
import type { Accounts } from '../accounts/accounts'
import { PlatformError } from '../core/errors'
import type { Proof } from '../names/ownership'
import type { Suspensions } from '../operators/suspensions'

/** An admin's daily request budget for one account's workers together, overriding BUDGET_ACCOUNT_REQUESTS_PER_DAY. */
export class AccountBudgets {
  constructor(
    private readonly parts: {
      accounts: Pick<Accounts, 'setBudget'>
      suspensions: Pick<Suspensions, 'assertAdmin'>
    },
  ) {}

  /**
   * Sets it (0: no limit), or with null resets it to the platform's default; 404 for an unknown
   * account. Isolates hear of it at their next lease, at the latest a minute later (ACCOUNT_RECHECK_MS).
   */
  async set(accountId: string, requestsPerDay: number | null, proof: Proof, scope: RequestScope): Promise<void> {
    await this.parts.suspensions.assertAdmin(proof)
    if (requestsPerDay !== null && (!Number.isSafeInteger(requestsPerDay) || requestsPerDay < 0)) {
      throw new PlatformError(
        'invalid_request',
        '"requestsPerDay" must be a whole number (0: no limit), or null for the default.',
      )
    }
    await this.parts.accounts.setBudget(accountId, requestsPerDay, scope)
  }
}
