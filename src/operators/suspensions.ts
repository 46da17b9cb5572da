import { PlatformError } from '../core/errors'
import type { RequestScope } from '../core/follow-up'
import type { WorkerRecord } from '../core/model'
import type { NameChanges } from '../names/changes'
import type { Proof } from '../names/ownership'
import { suspension } from './suspension'
import type { Accounts } from '../accounts/accounts'
import { bestEffort } from '../core/follow-up'

/**
 * Suspending and resuming a worker: the platform's operator (ADMIN_TOKEN) only. The suspension is
 * a change to the name's record like a deploy (the name's lease, then KV), so dispatch and every
 * entry point read it where they read the record (suspension.ts says what it stops).
 */
export class Suspensions {
  constructor(
    private readonly parts: {
      changes: Pick<NameChanges, 'updateRecord' | 'credential'>
      accounts: Pick<Accounts, 'suspend'>
      now: () => number
    },
  ) {}

  async suspend(name: string, reason: string, proof: Proof, ctx: RequestScope): Promise<WorkerRecord> {
    await this.assertAdmin(proof)
    const suspended = suspension(reason, 'worker', this.parts.now())
    return this.parts.changes.updateRecord(name, proof, ctx, (record) => ({ ...record, suspended }))
  }

  async resume(name: string, proof: Proof, ctx: RequestScope): Promise<WorkerRecord> {
    await this.assertAdmin(proof)
    return this.parts.changes.updateRecord(name, proof, ctx, ({ suspended: _suspended, ...record }) => record)
  }

  /**
   * Suspends an account: its new workers are refused, and each worker it has is suspended too (one
   * already suspended on its own keeps that suspension). Returns the workers suspended now.
   */
  async suspendAccount(accountId: string, reason: string, proof: Proof, ctx: RequestScope): Promise<string[]> {
    await this.assertAdmin(proof)
    const at = this.parts.now()
    const { workers } = await this.parts.accounts.suspend(accountId, { at: new Date(at).toISOString(), reason }, ctx)
    const suspended = suspension(reason, 'account', at)
    return this.eachWorker(workers, proof, ctx, (record) => (record.suspended ? record : { ...record, suspended }))
  }

  /** Resumes an account and the workers its suspension stopped (not those suspended on their own). */
  async resumeAccount(accountId: string, proof: Proof, ctx: RequestScope): Promise<string[]> {
    await this.assertAdmin(proof)
    const { workers } = await this.parts.accounts.suspend(accountId, null, ctx)
    return this.eachWorker(workers, proof, ctx, (record) => {
      if (record.suspended?.scope !== 'account') return record
      const { suspended: _suspended, ...resumed } = record
      return resumed
    })
  }

  /** Applies `next` to each worker; one that fails (gone meanwhile) does not stop the others. */
  private async eachWorker(
    names: string[],
    proof: Proof,
    ctx: RequestScope,
    next: (record: WorkerRecord) => WorkerRecord,
  ): Promise<string[]> {
    const changed: string[] = []
    for (const name of names) {
      const done = await bestEffort(`change the suspension of "${name}"`, () =>
        this.parts.changes.updateRecord(name, proof, ctx, next),
      )
      if (done) changed.push(name)
    }
    return changed
  }

  /** Refuses anyone but the operator: 401 without a token, 403 with any other than ADMIN_TOKEN. */
  async assertAdmin(proof: Proof): Promise<void> {
    if (proof === undefined) {
      throw new PlatformError(
        'unauthorized',
        'Only the platform’s operator can do this: give ADMIN_TOKEN as a Bearer token.',
        {
          'WWW-Authenticate': 'Bearer',
        },
      )
    }
    if (!(await this.parts.changes.credential(proof)).admin) {
      throw new PlatformError('forbidden', 'Only the platform’s operator (ADMIN_TOKEN) can suspend or resume a worker.')
    }
  }
}
