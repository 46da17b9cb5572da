import { PlatformError } from '../core/errors'
import type { Background } from '../core/follow-up'
import type { WorkerRecord } from '../core/model'
import type { NameChanges } from '../names/changes'
import type { Proof } from '../names/ownership'
import { suspension } from './suspension'

/**
 * Suspending and resuming a worker: the platform's operator (ADMIN_TOKEN) only. The suspension is
 * a change to the name's record like a deploy (the name's lease, then KV), so dispatch and every
 * entry point read it where they read the record (suspension.ts says what it stops).
 */
export class Suspensions {
  constructor(
    private readonly parts: {
      changes: Pick<NameChanges, 'changeExisting' | 'commit' | 'credential'>
      now: () => number
    },
  ) {}

  async suspend(name: string, reason: string, proof: Proof, ctx: Background): Promise<WorkerRecord> {
    await this.assertAdmin(proof)
    const suspended = suspension(reason, 'worker', this.parts.now())
    return this.change(name, proof, ctx, (record) => ({ ...record, suspended }))
  }

  async resume(name: string, proof: Proof, ctx: Background): Promise<WorkerRecord> {
    await this.assertAdmin(proof)
    return this.change(name, proof, ctx, ({ suspended: _suspended, ...record }) => record)
  }

  private async change(
    name: string,
    proof: Proof,
    ctx: Background,
    next: (record: WorkerRecord) => WorkerRecord,
  ): Promise<WorkerRecord> {
    const { changes } = this.parts
    const held = await changes.changeExisting(name, proof, (record) => ({
      record: next(record),
      expired: [],
      claim: false,
    }))
    await changes.commit(held, ctx)
    return held.change.record
  }

  private async assertAdmin(proof: Proof): Promise<void> {
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
