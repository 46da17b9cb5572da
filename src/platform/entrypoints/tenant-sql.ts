import { WorkerEntrypoint } from 'cloudflare:workers'
import type { SqlResult, SqlStatement, SqlValue } from '../storage/database.do'
import { countOperation, quotasFor } from '../storage/quotas'
import { assertStorageRef } from '../storage/refs'
import { sqlObject } from '../storage/store'

/**
 * A user Worker's SQL database on both backends (its `env.DB`): statements go to the worker's own
 * TenantDatabase object, named from the props the platform set. The D1 API tenants use (prepare,
 * bind, first/all/run/raw, batch, exec) is the small module the platform adds to the bundle
 * (storage/shim.ts); it calls `query` and `exec` here.
 */
export class TenantSQL extends WorkerEntrypoint<Env, unknown> {
  /** Runs statements in one transaction: one for a prepared statement, several for a batch. */
  query(statements: SqlStatement[]): Promise<SqlResult[]> {
    const checked = checkStatements(statements)
    const { ref, quotas } = this.target()
    return sqlObject(this.env, ref).query(checked, quotas)
  }

  /** Runs an SQL script without bindings (D1's exec). */
  exec(script: string): Promise<{ count: number; duration: number }> {
    if (typeof script !== 'string' || script.trim() === '') throw new Error('D1_EXEC_ERROR: exec() needs SQL text.')
    const { ref, quotas } = this.target()
    return sqlObject(this.env, ref).exec(script, quotas)
  }

  private target() {
    const ref = assertStorageRef(this.ctx.props)
    const quotas = quotasFor(this.env)
    countOperation(ref.name, quotas)
    return { ref, quotas }
  }
}

/** Statements as the shim sends them: SQL text and values SQLite can bind (D1's rules). */
function checkStatements(statements: unknown): SqlStatement[] {
  if (!Array.isArray(statements) || statements.length === 0) throw new Error('D1_ERROR: no statements to run.')
  return statements.map((statement: Partial<SqlStatement> | null) => {
    if (typeof statement?.sql !== 'string' || statement.sql.trim() === '') {
      throw new Error('D1_ERROR: a statement needs SQL text.')
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
  throw new Error(`D1_TYPE_ERROR: Type '${typeof value}' is not supported for a bound value.`)
}
