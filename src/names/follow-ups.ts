import { backendFor } from '../backends'
import { configFor } from '../core/config'
import { bestEffort } from '../core/follow-up'
import type { WorkerRecord } from '../core/model'
import { removeDeployment } from '../deploy/deployments'
import { purgeStorage } from '../storage/store'
import type { FollowUp, Outbox } from './outbox'
import type { ObjectIndex } from '../objects/object-index'
import { Registry } from './registry'
import { releaseDomains } from '../domains/release'

/** What the follow-ups need to know of the name's object. */
export interface FollowUpState {
  /** A lease holder is about to bring the mapping in line itself: leave it to them. */
  mappingHeld: boolean
  /** The committed record (null for a freed name). */
  record: () => Promise<WorkerRecord | null>
  /** The name, kept after a delete so its mapping can still be removed. */
  name: () => Promise<string | undefined>
  /** The Durable Objects the name's workers made. */
  objects: Pick<ObjectIndex, 'destroy'>
}

/**
 * Does what the outbox says is due at `now` (the alarm's part of the protocol in outbox.ts): deletes
 * a deleted worker's storage, makes KV match the record, and deletes code whose time has come —
 * only once no mapping can point at it any more. Failures are not thrown: they stay owed.
 */
export async function doFollowUps(env: Env, outbox: Outbox, now: number, state: FollowUpState): Promise<FollowUp> {
  const done: FollowUp = { mappingSynced: false, removed: [] }
  const registry = new Registry(env.WORKER_MAPPINGS, 0)
  if (outbox.purges?.length) {
    const refs = outbox.purges
    done.storagePurged = await bestEffort('delete the storage of a deleted worker', async () => {
      for (const ref of refs) await purgeStorage(env, ref)
    })
  }
  if (outbox.objectOwners?.length) {
    const owners = outbox.objectOwners
    done.objectsDestroyed = await bestEffort('delete the Durable Objects of a deleted worker', async () => {
      for (const ownerId of owners) await state.objects.destroy(ownerId)
    })
  }
  if (outbox.domains?.length) {
    const domains = outbox.domains
    done.domainsReleased = await bestEffort('release the custom domains of a deleted worker', () =>
      releaseDomains(env, domains),
    )
  }
  if (outbox.mapping && !state.mappingHeld) {
    const record = await state.record()
    done.mappingSynced = await bestEffort(`sync the mapping of ${record?.name ?? 'a freed name'}`, async () => {
      if (record) return registry.put(record)
      const name = await state.name()
      if (name) await registry.delete(name)
    })
  }
  const due = outbox.removals.filter((entry) => entry.notBefore <= now)
  if (due.length > 0 && (!outbox.mapping || done.mappingSynced)) {
    const backend = backendFor(configFor(env), env)
    for (const { workerId } of due) {
      if (await bestEffort(`delete the code of ${workerId}`, () => removeDeployment(workerId, backend, registry))) {
        done.removed?.push(workerId)
      }
    }
  }
  return done
}
