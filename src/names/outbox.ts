import { array, boolean, looseObject, number, optional, string, type GenericSchema } from 'valibot'
import { parseStored } from '../core/schema'
import type { WorkerRecord } from '../core/model'
import { LEASE_MS } from './lease'
import { storageRefsOf, type StorageRef } from '../storage/refs'

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
  /** Custom domains of deleted workers to release (domains/); absent when none. */
  domains?: DomainRelease[]
}

/** A deleted worker's custom domain: its hostname, and whose claim it is. */
export interface DomainRelease {
  hostname: string
  name: string
  ownerId: string
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
  /** The deleted workers' custom domains are released. */
  domainsReleased?: boolean
}

/** The outbox as every version stored it (purges came later: absent in older ones). */
const outboxSchema: GenericSchema<Outbox> = looseObject({
  mapping: boolean(),
  removals: array(looseObject({ workerId: string(), notBefore: number() })),
  purges: optional(array(looseObject({ name: string(), ownerId: string(), store: optional(string()) }))),
  objectOwners: optional(array(string())),
  domains: optional(array(looseObject({ hostname: string(), name: string(), ownerId: string() }))),
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
      ...(outbox.domains?.length && !done.domainsReleased ? { domains: outbox.domains } : {}),
    }))
  }
}

export function isEmpty(outbox: Outbox): boolean {
  return (
    !outbox.mapping &&
    outbox.removals.length === 0 &&
    !outbox.purges?.length &&
    !outbox.objectOwners?.length &&
    !outbox.domains?.length
  )
}

/** How long an upload's code may stay unclaimed after its lease ended before it counts as orphaned. */
export const ORPHAN_AFTER_MS = LEASE_MS + 60_000
/** Retry interval for follow-ups that failed (KV allows about one write per second to a key). */
export const RETRY_MS = 5_000
/** When the alarm does what the lease holder was expected to do, if it has not reported it done. */
export const BACKSTOP_MS = 30_000

/** The outbox once a deploy starts uploading `workerId`: its code goes unless a commit claims it (an orphan). */
export function withUpload(outbox: Outbox, workerId: string, now: number): Outbox {
  return { ...outbox, removals: [...outbox.removals, { workerId, notBefore: now + ORPHAN_AFTER_MS }] }
}

/** When the outbox needs the object's alarm: each removal's time, a backstop for the mapping and purges. */
export function outboxTimes(outbox: Outbox, now: number): number[] {
  const times = outbox.removals.map((entry) => entry.notBefore)
  if (outbox.mapping || outbox.purges?.length || outbox.domains?.length) times.push(now + BACKSTOP_MS)
  // No lease holder deletes a deleted worker's objects: the alarm does, at once.
  if (outbox.objectOwners?.length) times.push(now)
  return times
}

/**
 * The outbox after a commit of `record`: the mapping to sync, expired code to delete, committed
 * uploads no longer orphans (a deleted worker's purges still to do stay: they name its owner).
 */
export function afterCommit(outbox: Outbox, record: WorkerRecord, expired: string[], now: number): Outbox {
  const kept = new Set([...record.deployments, ...record.retired].map((entry) => entry.workerId))
  return {
    ...outbox,
    mapping: true,
    removals: [
      ...outbox.removals.filter((entry) => !kept.has(entry.workerId)),
      ...expired.map((workerId) => ({ workerId, notBefore: now + BACKSTOP_MS })),
    ],
  }
}

/** The outbox after the worker `record` was deleted: its mapping, every Worker ID it used, its storage, objects and domains. */
export function afterDelete(
  outbox: Outbox,
  record: WorkerRecord | null,
  now: number,
  hostnames: string[] = [],
): Outbox {
  const ids = record ? [...record.deployments, ...record.retired].map((entry) => entry.workerId) : []
  const purges = [...(outbox.purges ?? []), ...(record ? storageRefsOf(record) : [])]
  const objectOwners = [...(outbox.objectOwners ?? []), ...(record ? [record.ownerId] : [])]
  const released = record ? hostnames.map((hostname) => ({ hostname, name: record.name, ownerId: record.ownerId })) : []
  const domains = [...(outbox.domains ?? []), ...released]
  return {
    mapping: true,
    removals: [...outbox.removals, ...ids.map((workerId) => ({ workerId, notBefore: now + BACKSTOP_MS }))],
    ...(purges.length > 0 ? { purges } : {}),
    ...(objectOwners.length > 0 ? { objectOwners } : {}),
    ...(domains.length > 0 ? { domains } : {}),
  }
}
