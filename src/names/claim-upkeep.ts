import type { AuditJournal } from '../audit/audit-journal'
import type { LiveTails } from '../logs/live-tails'
import type { LogStore } from '../logs/log-store'
import type { WorkerRecord } from '../core/model'
import type { ObjectIndex } from '../objects/object-index'
import { storedName, storedOwner } from './claim-storage'
import { doFollowUps } from './follow-ups'
import type { LeaseQueue } from './lease'
import type { NameCrons } from './name-crons'
import { isEmpty, outboxTimes, RETRY_MS, type FollowUp, type OutboxStore } from './outbox'
import type { Reveals } from './reveals'

/** The parts of a name's object its upkeep looks after. */
export interface UpkeepParts {
  storage: DurableObjectStorage
  env: Env
  leases: LeaseQueue
  outbox: OutboxStore
  reveals: Reveals
  crons: NameCrons
  tails: LiveTails
  audit: AuditJournal
  logs: LogStore
  objects: ObjectIndex
  current: () => Promise<WorkerRecord | null>
}

/**
 * What a name's object does from its alarm (names/name-claim.do.ts): the outbox's follow-ups, due
 * crons, copying its audit entries, ending reveals and tails; setting the alarm for the next of them;
 * giving its storage back once the name is free and nothing is owed.
 */
export class ClaimUpkeep {
  constructor(private readonly parts: UpkeepParts) {}

  /** Strikes off follow-ups done elsewhere (by the lease holder, or after the response). */
  settle(done: FollowUp): Promise<void> {
    return this.parts.outbox.settle(done)
  }

  /**
   * Does what is due at `now`: makes KV match the record (unless a lease holder is about to), deletes
   * code whose time has come, runs crons, copies audit entries. Failures stay queued and retry.
   */
  async drain(now: number): Promise<void> {
    const { leases, outbox, storage, crons, audit, reveals, tails } = this.parts
    // A holder silent for longer than a lease lasts has died (its timer may not have fired yet).
    leases.expire(now)
    const owed = await outbox.get()
    const done = await doFollowUps(this.parts.env, owed, now, {
      // A lease holder is about to sync the mapping itself.
      mappingHeld: leases.busy,
      record: this.parts.current,
      name: () => storedName(storage),
      objects: this.parts.objects,
    })
    await this.settle(done)
    await crons.runDue(now)
    const name = await storedName(storage)
    await audit.forward(name === undefined ? undefined : { name }, now)
    await reveals.forgetExpired(now)
    await tails.end(now)
    await this.freeIfUnused()
    await this.arm(owed.mapping && !done.mappingSynced ? now + RETRY_MS : undefined, now)
  }

  /** Sets the alarm for the next thing due (the outbox, a reveal's or a tail's end, a cron, audit copies), or `at` if sooner. */
  async arm(at?: number, now = Date.now()): Promise<void> {
    const { outbox, reveals, crons, tails, audit, storage } = this.parts
    const due = [
      ...outboxTimes(await outbox.get(), now),
      ...(await reveals.expiries()),
      (await crons.runs.next())?.at,
      await tails.nextEnd(),
      audit.pending ? now : undefined,
    ].flatMap((time) => (time === undefined ? [] : [Math.max(time, now + 1)]))
    if (at !== undefined) due.push(at)
    if (due.length === 0) return
    const next = Math.min(...due)
    const current = await storage.getAlarm()
    if (current === null || current > next) await storage.setAlarm(next)
  }

  /** A free name with nothing owed keeps nothing: its storage is given back, schema included. */
  private async freeIfUnused(): Promise<void> {
    const { leases, outbox, audit, storage, logs } = this.parts
    if (leases.busy || !isEmpty(await outbox.get()) || audit.pending || (await storedOwner(storage))) return
    await storage.deleteAll()
    logs.dropped()
    audit.dropped()
  }
}
