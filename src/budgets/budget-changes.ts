import type { Background } from '../core/follow-up'
import { PlatformError } from '../core/errors'
import type { WorkerRecord } from '../core/model'
import type { NameChanges } from '../names/changes'
import type { Proof } from '../names/ownership'
import type { Suspensions } from '../operators/suspensions'

/** An admin's budget for one worker, overriding BUDGET_REQUESTS_PER_DAY (null: the platform's default again). */
export class BudgetChanges {
  constructor(
    private readonly parts: {
      changes: Pick<NameChanges, 'updateRecord'>
      suspensions: Pick<Suspensions, 'assertAdmin'>
    },
  ) {}

  async set(name: string, requestsPerDay: number | null, proof: Proof, ctx: Background): Promise<WorkerRecord> {
    await this.parts.suspensions.assertAdmin(proof)
    if (requestsPerDay !== null && (!Number.isSafeInteger(requestsPerDay) || requestsPerDay < 0)) {
      throw new PlatformError(
        'invalid_request',
        '"requestsPerDay" must be a whole number (0: no limit), or null for the default.',
      )
    }
    return this.parts.changes.updateRecord(name, proof, ctx, ({ budget: _budget, ...record }) =>
      requestsPerDay === null ? record : { ...record, budget: { requestsPerDay } },
    )
  }
}
