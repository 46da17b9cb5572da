import type { StorageQuotas } from '../core/config'
import { quotaError } from './quotas'

/** A value as a row returns it: blobs as arrays of bytes, as D1 returns them. */
export type SqlResultValue = string | number | null | number[]

/** What a number or NULL counts against the result budget (a double on the wire). */
const SCALAR_BYTES = 8

/**
 * What one env.DB call (a statement, or a batch's statements together: they run as one call on the
 * object's single thread and their results cross as one RPC message) may cost: rows read and bytes
 * of results. Rows are read one at a time from SQLite's lazy cursor, so a statement that yields
 * rows stops as soon as it reads past the budget, and a blob is counted before it becomes an array.
 *
 * What no check between rows can stop is one step that yields no row until all its work is done
 * (an aggregate, or a WHERE that no row passes, over a huge recursive CTE; one INSERT … SELECT):
 * it is refused only once it returns. workerd offers nothing to interrupt it: it sets SQLite's size
 * limits (4 MB per value or row, 100 kB of SQL, 25,000 VDBE ops per program) but installs no progress
 * handler, and time is no budget either (on Cloudflare the clock stands still while code runs). So
 * locally such a step runs to its end (forever, if its CTE has no end); on Cloudflare the CPU limit
 * of the object's invocation interrupts SQLite (workerd leaves that to its LimitEnforcer).
 */
export class SqlCallBudget {
  /** Rows read by the call's finished statements. */
  private finishedRowsRead = 0
  private resultBytes = 0

  constructor(private readonly quotas: Pick<StorageQuotas, 'sqlMaxRowsRead' | 'sqlMaxResultBytes'>) {}

  /** Bytes of the rows the call returned so far (each value as sqlValueBytes counts it). */
  get bytesReturned(): number {
    return this.resultBytes
  }

  /** Rows read so far by the call, the running statement's included. */
  rowsRead(cursor?: SqlStorageCursor<Record<string, SqlStorageValue>>): number {
    return this.finishedRowsRead + (cursor?.rowsRead ?? 0)
  }

  /** The statement's rows, each counted before it is kept (blobs become arrays only within the budget). */
  collect(cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): SqlResultValue[][] {
    const rows: SqlResultValue[][] = []
    for (const row of cursor.raw()) {
      this.checkRowsRead(cursor)
      this.chargeResult(row)
      rows.push(row.map(fromSqlite))
    }
    this.finish(cursor)
    return rows
  }

  /** Runs the statement to its end keeping no rows (exec's last statement). */
  drain(cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): void {
    for (const _row of cursor.raw()) this.checkRowsRead(cursor)
    this.finish(cursor)
  }

  /** The statement is done: its last step (all of an aggregate's work) counts too. */
  private finish(cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): void {
    this.checkRowsRead(cursor)
    this.finishedRowsRead += cursor.rowsRead
  }

  private checkRowsRead(cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): void {
    const max = this.quotas.sqlMaxRowsRead
    if (this.rowsRead(cursor) > max) {
      throw quotaError('TENANT_SQL_MAX_ROWS_READ', `a statement (or a batch, together) may read at most ${max} rows.`)
    }
  }

  private chargeResult(row: SqlStorageValue[]): void {
    for (const value of row) this.resultBytes += sqlValueBytes(value)
    const max = this.quotas.sqlMaxResultBytes
    if (this.resultBytes > max) {
      throw quotaError(
        'TENANT_SQL_MAX_RESULT_BYTES',
        `a statement's results (or a batch's, together) may hold at most ${max} bytes.`,
      )
    }
  }
}

/** Text by its UTF-8 length, blobs by their length (counted before they become arrays of numbers), others 8. */
export function sqlValueBytes(value: SqlStorageValue): number {
  if (value instanceof ArrayBuffer) return value.byteLength
  if (typeof value === 'string') return utf8Length(value)
  return SCALAR_BYTES
}

/** Counted without encoding the text again: a result may hold millions of values. */
function utf8Length(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    // One UTF-16 unit is 1 byte up to U+007F, 2 up to U+07FF, 3 beyond; a surrogate pair (2 units) is 4.
    if (code > 0x7f) bytes += code > 0x7ff && (code < 0xd800 || code > 0xdfff) ? 2 : 1
  }
  return bytes
}

/** Blobs leave as arrays of bytes, as D1 returns them. */
function fromSqlite(value: SqlStorageValue): SqlResultValue {
  return value instanceof ArrayBuffer ? [...new Uint8Array(value)] : value
}
