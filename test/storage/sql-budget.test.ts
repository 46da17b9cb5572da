import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../src/core/config'
import { SqlCallBudget } from '../../src/storage/sql-budget'
import { runStatements } from '../../src/storage/sql-statements'
import { sqlObject } from '../../src/storage/store'
import { claimedRef, platform, uniqueName } from '../helpers'
import { STORAGE_SCRIPT } from './tenant-scripts'

// Every query here has a LIMIT, so even without a budget it ends: what the tests count is the rows
// read (SQLite's own counter) and the bytes kept, never time.
const counting = (rows: number) =>
  `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT ${rows}) SELECT x FROM c`

/** Runs `check` inside a fresh worker database object, with its SQL storage. */
function inDatabase(check: (sql: SqlStorage) => void): Promise<void> {
  const stub = env.TENANT_DATABASES.getByName(`sql:${uniqueName('budget')}/o-testowner123`)
  return runInDurableObject(stub, (_instance, state) => check(state.storage.sql))
}

const budget = (overrides: { sqlMaxRowsRead?: number; sqlMaxResultBytes?: number }) =>
  new SqlCallBudget({ ...DEFAULTS.storageQuotas, ...overrides })

describe('per-call SQL budget', () => {
  it('TENANT_SQL_MAX_ROWS_READ: a statement stops as soon as it has read past the budget, not at its end', () =>
    inDatabase((sql) => {
      const limited = budget({ sqlMaxRowsRead: 1_000 })
      const cursor = sql.exec(counting(100_000))
      expect(() => limited.collect(cursor)).toThrow(
        'TENANT_SQL_MAX_ROWS_READ exceeded: a statement (or a batch, together) may read at most 1000 rows.',
      )
      // One row past the budget, not the statement's 100,000.
      expect(cursor.rowsRead).toBe(1_001)
    }))

  it("TENANT_SQL_MAX_ROWS_READ: a batch's statements share the budget", () =>
    inDatabase((sql) => {
      const statement = { sql: counting(600), params: [] }
      expect(() => runStatements(sql, [statement, statement], budget({ sqlMaxRowsRead: 1_000 }))).toThrow(
        'TENANT_SQL_MAX_ROWS_READ exceeded',
      )
      expect(runStatements(sql, [statement], budget({ sqlMaxRowsRead: 1_000 }))[0]?.rows).toHaveLength(600)
    }))

  it('TENANT_SQL_MAX_ROWS_READ: an aggregate is refused, but only after its one step has read everything', () =>
    inDatabase((sql) => {
      const limited = budget({ sqlMaxRowsRead: 1_000 })
      const cursor = sql.exec(`SELECT count(*) FROM (${counting(5_000)})`)
      expect(() => limited.collect(cursor)).toThrow('TENANT_SQL_MAX_ROWS_READ exceeded')
      // What no check between rows can stop (docs/limits.md, TENANT_SQL_MAX_ROWS_READ): the CPU limit does on Cloudflare.
      expect(cursor.rowsRead).toBe(5_000)
    }))

  it("TENANT_SQL_MAX_ROWS_READ: exec() reads its script's last statement within the budget", () =>
    inDatabase((sql) => {
      const limited = budget({ sqlMaxRowsRead: 1_000 })
      const cursor = sql.exec(`CREATE TABLE t (x); ${counting(100_000)}`)
      expect(() => limited.drain(cursor)).toThrow('TENANT_SQL_MAX_ROWS_READ exceeded')
      expect(cursor.rowsRead).toBe(1_001)
    }))

  it('TENANT_SQL_MAX_RESULT_BYTES: blobs count by their length before they become arrays of numbers', () =>
    inDatabase((sql) => {
      const limited = budget({ sqlMaxResultBytes: 1024 * 1024 })
      // 100 rows of 300,000 bytes: 30 MB if all were kept; the fourth row is over 1 MiB.
      const cursor = sql.exec(`SELECT zeroblob(300000) FROM (${counting(100)})`)
      expect(() => limited.collect(cursor)).toThrow(
        "TENANT_SQL_MAX_RESULT_BYTES exceeded: a statement's results (or a batch's, together) may hold at most 1048576 bytes.",
      )
      // Read no further than the fourth row (SQLite counts the subquery's rows too), not the 100.
      expect(cursor.rowsRead).toBeLessThanOrEqual(8)
    }))

  it('TENANT_SQL_MAX_RESULT_BYTES: text counts by its UTF-8 length, numbers 8 bytes each', () =>
    inDatabase((sql) => {
      // 'é' is 2 bytes, '€' 3, '😀' 4 (a surrogate pair): 9 bytes, and 8 for the number.
      const fits = sql.exec("SELECT 'é€😀', 1")
      expect(budget({ sqlMaxResultBytes: 17 }).collect(fits)).toEqual([['é€😀', 1]])
      const over = sql.exec("SELECT 'é€😀', 1")
      expect(() => budget({ sqlMaxResultBytes: 16 }).collect(over)).toThrow('TENANT_SQL_MAX_RESULT_BYTES exceeded')
    }))

  it("is this Worker's configuration (10 MiB by default) and reaches the tenant's code as a D1_ERROR", async () => {
    // 12 MB of blobs: 24 MB as arrays of numbers, which one RPC message (32 MiB) would still carry.
    const blobs = `SELECT zeroblob(4000000) FROM (${counting(3)})`
    const database = sqlObject(env, await claimedRef('budget'))
    const query = async () => database.query([{ sql: blobs, params: [] }])
    await expect(query()).rejects.toThrow(
      "TENANT_SQL_MAX_RESULT_BYTES exceeded: a statement's results (or a batch's, together) may hold at most 10485760 bytes.",
    )

    const name = uniqueName('budget-e2e')
    const res = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: STORAGE_SCRIPT, storage: { sql: true } }),
    })
    expect(res.status).toBe(201)
    const run = await platform(`/user-workers/${name}/sql-all`, {
      method: 'POST',
      body: JSON.stringify({ sql: blobs }),
    })
    expect(await run.json()).toEqual({
      error:
        "D1_ERROR: TENANT_SQL_MAX_RESULT_BYTES exceeded: a statement's results (or a batch's, together) may hold at most 10485760 bytes.",
    })
  })
})
