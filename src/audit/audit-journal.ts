import type { AuditEntry, AuditEvent, AuditSource } from './audit-events'
import { AuditLog } from './audit-log'
import { auditKeptSince, TRAIL_OBJECT } from './trail'
import { configFor } from '../core/config'

/** Whose journal it is, as the trail files its entries: a worker's name, or an account. */
export type JournalOf = { name: string } | { accountId: string }

/**
 * An object's audit log (audit-log.ts: a name's, or an account's) and its copy to the platform-wide
 * trail: entries are written in the change's own transaction, then copied by the object's alarm
 * until the trail has them.
 */
export class AuditJournal {
  private readonly log: AuditLog

  constructor(
    storage: DurableObjectStorage,
    private readonly env: Env,
  ) {
    this.log = new AuditLog(storage)
  }

  /** Records entries for the owner generation `owner` (synchronous: inside the change's transaction). */
  record(entries: AuditEntry[], source: AuditSource, owner: string): void {
    if (entries.length > 0) this.log.append(entries, source, owner, new Date().toISOString())
  }

  /** The worker was deleted: its history goes, all but the entry saying who deleted it (the tombstone). */
  deleted(name: string, source: AuditSource, owner: string): void {
    this.log.forget(owner)
    this.record([{ action: 'delete', detail: `Deleted ${name}.` }], source, owner)
  }

  list(owner: string, before?: number): AuditEvent[] {
    return this.log.list(owner, before)
  }

  /** Whether entries wait to be copied (the alarm is due). */
  get pending(): boolean {
    return this.log.pending()
  }

  /** Copies what waits to the trail, a page at a time; what fails stays for the next alarm. */
  async forward(of: JournalOf | undefined, now: number): Promise<void> {
    const keptSince = auditKeptSince(configFor(this.env).auditDaysKept, now)
    const key = of && ('name' in of ? `name:${of.name}` : `account:${of.accountId}`)
    for (let entries = this.log.unforwarded(); of && key && entries.length > 0; entries = this.log.unforwarded()) {
      await this.env.AUDIT_TRAIL.getByName(TRAIL_OBJECT).receive(
        key,
        entries.map(({ owner, event }) => ({ owner, event: { ...event, ...of } })),
        keptSince,
      )
      this.log.forwarded(entries.at(-1)!.event.id)
    }
    this.log.prune(keptSince)
  }

  /** The object's storage was given back. */
  dropped(): void {
    this.log.dropped()
  }
}
