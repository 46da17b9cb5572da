import { parse } from 'valibot'
import { auditActionSchema, type AuditEntry, type AuditEvent, type AuditSource } from './audit-events'

/** How many entries one page of a log shows, at most. */
export const AUDIT_PAGE_SIZE = 100

/** An entry's columns, as both the objects' logs and the trail store them. */
export interface AuditRow extends Record<string, SqlStorageValue> {
  id: number
  at: string
  action: string
  actor: string
  ip: string | null
  detail: string
}

interface Row extends AuditRow {
  owner: string
  forwarded: number
}

/**
 * An append-only audit log in a Durable Object's SQLite storage (a name's, or an account's): entries
 * are only ever added, then copied to the platform-wide AuditTrail (audit-trail.do.ts) by the
 * object's alarm, and removed only by retention or when what they are about is deleted. Each entry
 * carries the owner generation it belongs to, so a name claimed again does not show its former
 * owner's history. The table is made on first use after the object's storage was (re)made.
 */
export class AuditLog {
  private schemaReady = false

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Appends entries at `at` for `owner` (synchronous: callable inside the change's transaction). */
  append(entries: AuditEntry[], source: AuditSource, owner: string, at: string): void {
    const sql = this.table()
    for (const entry of entries) {
      sql.exec(
        'INSERT INTO audit (at, action, actor, ip, detail, owner, forwarded) VALUES (?, ?, ?, ?, ?, ?, 0)',
        at,
        entry.action,
        source.actor,
        source.ip ?? null,
        entry.detail,
        owner,
      )
    }
  }

  /** The newest entries of `owner` (before entry `before`, for the next page), newest first. */
  list(owner: string, before = Number.MAX_SAFE_INTEGER, limit = AUDIT_PAGE_SIZE): AuditEvent[] {
    return this.table()
      .exec<Row>('SELECT * FROM audit WHERE owner = ? AND id < ? ORDER BY id DESC LIMIT ?', owner, before, limit)
      .toArray()
      .map(toEvent)
  }

  /** Entries not yet copied to the platform-wide trail, oldest first, with the generation each belongs to. */
  unforwarded(limit = AUDIT_PAGE_SIZE): { owner: string; event: AuditEvent }[] {
    if (!this.exists()) return []
    return this.table()
      .exec<Row>('SELECT * FROM audit WHERE forwarded = 0 ORDER BY id LIMIT ?', limit)
      .toArray()
      .map((row) => ({ owner: row.owner, event: toEvent(row) }))
  }

  /** Marks entries up to `id` as copied. */
  forwarded(upTo: number): void {
    this.table().exec('UPDATE audit SET forwarded = 1 WHERE forwarded = 0 AND id <= ?', upTo)
  }

  /** Whether any entry still waits to be copied. */
  pending(): boolean {
    return this.exists() && this.table().exec('SELECT 1 FROM audit WHERE forwarded = 0 LIMIT 1').toArray().length > 0
  }

  /** Removes every entry of `owner` (what it was about was deleted; the trail keeps a tombstone). */
  forget(owner: string): void {
    if (this.exists()) this.table().exec('DELETE FROM audit WHERE owner = ?', owner)
  }

  /** Removes copied entries older than `before` (ISO time): the retention period. */
  prune(before: string): void {
    if (this.exists()) this.table().exec('DELETE FROM audit WHERE forwarded = 1 AND at < ?', before)
  }

  /** The object's storage was given back (deleteAll): the table is made again on next use. */
  dropped(): void {
    this.schemaReady = false
  }

  private exists(): boolean {
    if (this.schemaReady) return true
    return (
      this.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'").toArray().length > 0
    )
  }

  private table(): SqlStorage {
    const sql = this.storage.sql
    if (!this.schemaReady) {
      sql.exec(
        'CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL, ip TEXT, detail TEXT NOT NULL, owner TEXT NOT NULL, forwarded INTEGER NOT NULL)',
      )
      sql.exec('CREATE INDEX IF NOT EXISTS audit_owner ON audit (owner, id)')
      this.schemaReady = true
    }
    return sql
  }
}

/** An entry read back: its action checked against those this version knows. */
export function toEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    action: parse(auditActionSchema, row.action),
    actor: row.actor,
    ...(row.ip ? { ip: row.ip } : {}),
    detail: row.detail,
  }
}
