import type { LogLine } from '../core/model'
import { platformNote } from '../logs/logs'
import { storedOwner } from './claim-storage'
import type { LeaseQueue, LeaseRefusal } from './lease'
import { authorize, type Credential, type Owner } from './ownership'

/** What a change to the owner record answers: nothing to change, refused, or done (with its result). */
export type OwnerChanged<T> = { ok: true; found: false } | ({ ok: true; found: true } & T) | LeaseRefusal

/**
 * Changes to who holds a name that are not deploys (a rotated deploy token, a move into an account):
 * each waits for the name's turn like any change, proves the caller against the current owner,
 * writes the new owner record and leaves a line in the worker's logs saying what happened.
 */
export class OwnerChanges {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly leases: LeaseQueue,
    /** The name's logs, for the owner generation that holds it. */
    private readonly log: (lines: LogLine[], ownerId: string) => Promise<void>,
  ) {}

  async change<T extends object>(
    credential: Credential,
    work: (owner: Owner) => Promise<{ owner: Owner; note: string; result: T }>,
  ): Promise<OwnerChanged<T>> {
    const release = await this.leases.turn()
    try {
      const owner = await storedOwner(this.storage)
      if (!owner) return { ok: true, found: false }
      const refusal = await authorize(owner, credential, true)
      if (refusal) return { ok: false, reason: refusal }
      const changed = await work(owner)
      await this.storage.put('owner', changed.owner)
      await this.log([platformNote(changed.note)], owner.ownerId)
      return { ok: true, found: true, ...changed.result }
    } finally {
      release()
    }
  }
}
