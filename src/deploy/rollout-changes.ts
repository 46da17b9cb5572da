import type { RequestScope } from '../core/follow-up'
import { PlatformError } from '../core/errors'
import type { WorkerRecord } from '../core/model'
import type { NameChanges } from '../names/changes'
import type { Proof } from '../names/ownership'
import { assertNotSuspended } from '../operators/suspension'
import { withoutRollout } from './deployments'
import { withRollout } from './rollouts'

/**
 * Starting, moving and aborting a gradual rollout (rollouts.ts), for a worker's owner: a change to
 * the name's record under its lease, like a promote (which ends one, as does a deploy that goes live).
 */
export class Rollouts {
  constructor(
    private readonly parts: {
      changes: Pick<NameChanges, 'updateRecord'>
      now: () => number
    },
  ) {}

  /** Serves `workerId` to `percent` of visitors; raising it only moves visitors to the candidate. */
  set(name: string, workerId: string, percent: number, token: Proof, ctx: RequestScope): Promise<WorkerRecord> {
    return this.change(name, token, ctx, (record) => withRollout(record, workerId, percent, this.parts.now()))
  }

  /** Ends the rollout: everyone gets the current deployment again. */
  abort(name: string, token: Proof, ctx: RequestScope): Promise<WorkerRecord> {
    return this.change(name, token, ctx, (record) => {
      if (!record.rollout) throw new PlatformError('not_found', `"${name}" has no rollout to abort.`)
      return withoutRollout(record)
    })
  }

  private change(
    name: string,
    token: Proof,
    ctx: RequestScope,
    next: (record: WorkerRecord) => WorkerRecord,
  ): Promise<WorkerRecord> {
    return this.parts.changes.updateRecord(name, token, ctx, (record) => {
      assertNotSuspended(record, 'change what it serves')
      return next(record)
    })
  }
}
