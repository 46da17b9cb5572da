import { refusal } from './refusal'
import { SqlCallBudget, sqlValueBytes, type SqlResultValue } from './sql-budget'

export type { SqlResultValue } from './sql-budget'

/** One statement as the tenant's env.DB sends it (see shim.ts): SQL and its bound values. */
export interface SqlStatement {
  sql: string
  params: SqlValue[]
}

export type SqlValue = string | number | null | ArrayBuffer

/** What one statement returned: columns and rows (raw), and D1's meta. */
export interface SqlResult {
  columns: string[]
  rows: SqlResultValue[][]
  meta: SqlMeta
}

/** D1's `meta` as far as SQLite in a Durable Object can tell it. */
export interface SqlMeta {
  duration: number
  changes: number
  last_row_id: number
  rows_read: number
  rows_written: number
  changed_db: boolean
  size_after: number
}

/**
 * Runs checked statements one after the other, within one budget (the caller holds the
 * transaction). `size_after` is left 0 for the caller, which knows the size once all have run.
 */
export function runStatements(sql: SqlStorage, statements: SqlStatement[], budget: SqlCallBudget): SqlResult[] {
  return statements.map((statement) => {
    const started = performance.now()
    const cursor = sql.exec(statement.sql, ...statement.params)
    const rows = budget.collect(cursor)
    const { changes, id } = sql
      .exec<{ changes: number; id: number }>('SELECT changes() AS changes, last_insert_rowid() AS id')
      .one()
    const written = cursor.rowsWritten
    return {
      columns: cursor.columnNames,
      rows,
      meta: {
        duration: performance.now() - started,
        changes: written > 0 ? changes : 0,
        last_row_id: id,
        rows_read: cursor.rowsRead,
        rows_written: written,
        changed_db: written > 0,
        size_after: 0,
      },
    }
  })
}

/** What statements send, as usage counts it (docs/metrics.md#usage): their SQL text and bound values. */
export function statementBytes(statements: SqlStatement[]): number {
  let bytes = 0
  for (const { sql, params } of statements) {
    bytes += sqlValueBytes(sql)
    for (const param of params) bytes += param === null ? 0 : sqlValueBytes(param)
  }
  return bytes
}

/** Statements as the shim sends them: SQL text and values SQLite can bind (D1's rules). */
export function checkStatements(statements: unknown): SqlStatement[] {
  if (!Array.isArray(statements) || statements.length === 0) throw refusal('D1_ERROR: no statements to run.')
  return statements.map((statement: Partial<SqlStatement> | null) => {
    if (typeof statement?.sql !== 'string' || statement.sql.trim() === '') {
      throw refusal('D1_ERROR: a statement needs SQL text.')
    }
    const params = Array.isArray(statement.params) ? statement.params : []
    return { sql: statement.sql, params: params.map(toSqlValue) }
  })
}

function toSqlValue(value: unknown): SqlValue {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof ArrayBuffer) return value
  if (ArrayBuffer.isView(value))
    return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer
  if (Array.isArray(value) && value.every((byte) => Number.isInteger(byte))) return new Uint8Array(value).buffer
  throw refusal(`D1_TYPE_ERROR: Type '${typeof value}' is not supported for a bound value.`)
}
