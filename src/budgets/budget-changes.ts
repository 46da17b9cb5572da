import type { RequestScope } from '../core/follow-up'
import { PlatformError } from '../core/errors'
import type { Budget, WorkerRecord } from '../core/model'
import type { NameChanges } from '../names/changes'
import type { Proof } from '../names/ownership'
import type { Suspensions } from '../operators/suspensions'

/** What an admin changes of a worker's budget: a field absent stays, null is the platform's default again. */
export interface BudgetChange {
  requestsPerDay?: number | null | undefined
  cpuMsPerDay?: number | null | undefined
}

const FIELDS = ['requestsPerDay', 'cpuMsPerDay'] as const

/** An admin's budget for one worker, overriding BUDGET_REQUESTS_PER_DAY and BUDGET_CPU_MS_PER_DAY. */
export class BudgetChanges {
  constructor(
    private readonly parts: {
      changes: Pick<NameChanges, 'updateRecord'>
      suspensions: Pick<Suspensions, 'assertAdmin'>
    },
  ) {}

  async set(name: string, change: BudgetChange, proof: Proof, ctx: RequestScope): Promise<WorkerRecord> {
    await this.parts.suspensions.assertAdmin(proof)
    for (const field of FIELDS) {
      const value = change[field]
      if (value !== undefined && value !== null && (!Number.isSafeInteger(value) || value < 0)) {
        throw new PlatformError(
          'invalid_request',
          `"${field}" must be a whole number (0: no limit), or null for the default.`,
        )
      }
    }
    return this.parts.changes.updateRecord(name, proof, ctx, ({ budget, ...record }) => {
      const next: Budget = { ...budget }
      for (const field of FIELDS) {
        const value = change[field]
        if (value === null) delete next[field]
        else if (value !== undefined) next[field] = value
      }
      return Object.keys(next).length === 0 ? record : { ...record, budget: next }
    })
  }
}
