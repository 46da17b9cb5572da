import { DurableObject } from 'cloudflare:workers'
import type { AuditEvent } from './audit-events'
import { AUDIT_PAGE_SIZE, toEvent, type AuditRow } from './audit-log'

/** An entry as a name's or an account's object copies it here. */
export interface TrailEntry {
  /** The generation it belongs to (a name's owner, or the account). */
  owner: string
  event: AuditEvent
}

/** Which entries the admin-wide view asks for; newest first, before entry `before`. */
export interface TrailQuery {
  name?: string
  accountId?: string
  action?: string
  before?: number
  limit?: number
}

interface Row extends AuditRow {
  name: string | null
  account: string | null
}

/**
 * The platform-wide audit trail, for the operator: one object (SQLite) holding a copy of every
 * name's and account's audit log. The object that records a change is its authority and copies its
 * entries here from its alarm, so a copy is never lost and never doubled (each is keyed by where it
 * came from). A worker's deletion removes its entries here too, all but the deletion itself: the
 * tombstone that says who deleted it, when and from where. Kept AUDIT_DAYS_KEPT days.
 */
export class AuditTrail extends DurableObject<Env> {
  private readonly sql = this.ctx.storage.sql

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql.exec(`CREATE TABLE IF NOT EXISTS trail (
      id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL,
      ip TEXT, detail TEXT NOT NULL, name TEXT, account TEXT, owner TEXT NOT NULL,
      source TEXT NOT NULL, source_id INTEGER NOT NULL, UNIQUE (source, owner, source_id))`)
    this.sql.exec('CREATE INDEX IF NOT EXISTS trail_name ON trail (name, id)')
    this.sql.exec('CREATE INDEX IF NOT EXISTS trail_at ON trail (at)')
  }

  /**
   * Takes copies from `source` (`name:<name>` or `account:<id>`); one already here is skipped. A
   * worker's `delete` removes that generation's earlier entries and stays as its tombstone.
   */
  receive(source: string, entries: TrailEntry[], keptSince: string): void {
    this.ctx.storage.transactionSync(() => {
      for (const { owner, event } of entries) {
        if (event.action === 'delete' && event.name) {
          this.sql.exec('DELETE FROM trail WHERE name = ? AND owner = ?', event.name, owner)
        }
        this.sql.exec(
          `INSERT OR IGNORE INTO trail (at, action, actor, ip, detail, name, account, owner, source, source_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          event.at,
          event.action,
          event.actor,
          event.ip ?? null,
          event.detail,
          event.name ?? null,
          event.accountId ?? null,
          owner,
          source,
          event.id,
        )
      }
      this.sql.exec('DELETE FROM trail WHERE at < ?', keptSince)
    })
  }

  /** A page of the trail, newest first. */
  list(query: TrailQuery): AuditEvent[] {
    const where = ['id < ?']
    const values: SqlStorageValue[] = [query.before ?? Number.MAX_SAFE_INTEGER]
    const filters = { name: query.name, account: query.accountId, action: query.action }
    for (const [column, value] of Object.entries(filters)) {
      if (value === undefined) continue
      where.push(`${column} = ?`)
      values.push(value)
    }
    const limit = Math.min(query.limit ?? AUDIT_PAGE_SIZE, AUDIT_PAGE_SIZE)
    return this.sql
      .exec<Row>(`SELECT * FROM trail WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`, ...values, limit)
      .toArray()
      .map((row) => ({
        ...toEvent(row),
        ...(row.name ? { name: row.name } : {}),
        ...(row.account ? { accountId: row.account } : {}),
      }))
  }
}
