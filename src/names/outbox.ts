import { array, boolean, looseObject, number, optional, string, type GenericSchema } from 'valibot'
import { parseStored } from '../core/schema'
import type { StorageRef } from '../storage/refs'

/**
 * Follow-up writes the name's object owes the rest of the system. No transaction spans KV, the
 * object and the backend, so a change is committed there first and the outbox lists what must
 * follow; every entry is idempotent, done by the lease holder right away and, if it did not report
 * it done (it failed, or its isolate was evicted), by the object's alarm until it succeeds.
 */
export interface Outbox {
  /** KV must be made to match the object's record (or, for a free name, its absence). */
  mapping: boolean
  /** Code to delete from the backend, each not before its time. */
  removals: { workerId: string; notBefore: number }[]
  /** Storage of deleted workers to delete (storage/store.ts purgeStorage); absent when none. */
  purges?: StorageRef[]
  /** Owners of deleted workers whose Durable Objects to delete (objects/object-index.ts); absent when none. */
  objectOwners?: string[]
}

/** What the lease holder did after its commit (see NameClaim.release). */
export interface FollowUp {
  /** The KV mapping now matches the committed state. */
  mappingSynced: boolean
  /** Worker IDs whose code the holder deleted. */
  removed?: string[]
  /** The deleted worker's storage (env.KV, env.DB) is gone. */
  storagePurged?: boolean
  /** The deleted workers' Durable Objects are gone. */
  objectsDestroyed?: boolean
}

/** The outbox as every version stored it (purges came later: absent in older ones). */
const outboxSchema: GenericSchema<Outbox> = looseObject({
  mapping: boolean(),
  removals: array(looseObject({ workerId: string(), notBefore: number() })),
  purges: optional(array(looseObject({ name: string(), ownerId: string(), store: optional(string()) }))),
  objectOwners: optional(array(string())),
})

const EMPTY: Outbox = { mapping: false, removals: [] }
const KEY = 'outbox'

/** The outbox as the object stores it: absent when nothing is owed. */
export class OutboxStore {
  constructor(private readonly storage: DurableObjectStorage) {}

  async get(): Promise<Outbox> {
    return parseStored(optional(outboxSchema, EMPTY), await this.storage.get(KEY), 'The name’s stored outbox')
  }

  async update(change: (outbox: Outbox) => Outbox): Promise<void> {
    const next = change(await this.get())
    if (isEmpty(next)) await this.storage.delete(KEY)
    else await this.storage.put(KEY, next)
  }

  /** Writes the outbox in a transaction the caller holds (a commit writes it with the record). */
  put(txn: DurableObjectTransaction, outbox: Outbox): Promise<void> {
    return txn.put(KEY, outbox)
  }

  /** Strikes off what the holder reports done. */
  async settle(done: FollowUp): Promise<void> {
    const removed = new Set(done.removed ?? [])
    await this.update((outbox) => ({
      mapping: outbox.mapping && !done.mappingSynced,
      removals: outbox.removals.filter((entry) => !removed.has(entry.workerId)),
      ...(outbox.purges?.length && !done.storagePurged ? { purges: outbox.purges } : {}),
      ...(outbox.objectOwners?.length && !done.objectsDestroyed ? { objectOwners: outbox.objectOwners } : {}),
    }))
  }
}

export function isEmpty(outbox: Outbox): boolean {
  return !outbox.mapping && outbox.removals.length === 0 && !outbox.purges?.length && !outbox.objectOwners?.length
}
