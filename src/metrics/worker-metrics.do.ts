import { DurableObject } from 'cloudflare:workers'
import { GenerationGate } from '../core/generation'
import {
  BUCKETS,
  DAY_MS,
  dayOf,
  emptyMinute,
  METRICS_WINDOW_MS,
  MINUTE_MS,
  mergeMinutes,
  USAGE_DAYS_KEPT,
  type MinuteRow,
} from './metrics'
import { array, number } from 'valibot'
import { parseStoredJson } from '../core/schema'
import { addDeploymentMinute, readDeploymentMinutes } from './deployment-minutes'
import { USAGE_FIELDS, type DayRow, type UsageCounts } from './usage-counts'

interface StoredMinute extends Record<string, SqlStorageValue> {
  at: number
  requests: number
  errors: number
  histogram: string
}

/**
 * One object per worker name (SQLite-backed): its metrics, one row per minute that had traffic,
 * for the last 24 hours, and one per UTC day for USAGE_DAYS_KEPT (the usage export), with the
 * day's CPU, KV and SQL use beside it (usage-counts.ts). Each row is the merge of every aggregate isolates flushed for that minute
 * (histograms add up exactly). Older rows are pruned whenever a minute is added.
 */
export class WorkerMetrics extends DurableObject<Env> {
  /** Which owners of this name may still add (a deleted one's late aggregates are dropped). */
  private readonly generation = new GenerationGate((ownerId) =>
    this.env.NAME_CLAIMS.getByName(this.ctx.id.name ?? '').holds(ownerId),
  )

  /** Adds an isolate's aggregate of one minute to the stored minute, if `ownerId` still holds the name. */
  async add(row: MinuteRow, ownerId: string): Promise<void> {
    if (!(await this.generation.admits(ownerId))) return
    const oldest = Date.now() - METRICS_WINDOW_MS - MINUTE_MS
    const sql = this.table()
    sql.exec('DELETE FROM minutes WHERE at < ?', oldest)
    if (row.at < oldest || row.histogram.length !== BUCKETS) return
    merge(sql, 'minutes', row.at, row)
    // The same aggregate into its UTC day, kept USAGE_DAYS_KEPT for the usage export.
    sql.exec('DELETE FROM days WHERE at < ?', dayOf(Date.now()) - USAGE_DAYS_KEPT * DAY_MS)
    merge(sql, 'days', dayOf(row.at), row)
  }

  /**
   * Adds an isolate's aggregate of a worker's use (CPU, KV, SQL: usage-counts.ts) to its UTC day,
   * if `ownerId` still holds the name; kept USAGE_DAYS_KEPT, as the days of requests.
   */
  async addUsage(day: number, counts: UsageCounts, ownerId: string): Promise<void> {
    if (!(await this.generation.admits(ownerId))) return
    const sql = this.table()
    sql.exec('DELETE FROM usage WHERE at < ?', dayOf(Date.now()) - USAGE_DAYS_KEPT * DAY_MS)
    if (day !== dayOf(day) || day < dayOf(Date.now()) - USAGE_DAYS_KEPT * DAY_MS) return
    const values = USAGE_FIELDS.map((field) => (Number.isFinite(counts[field]) ? counts[field] : 0))
    sql.exec(
      `INSERT INTO usage VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (at) DO UPDATE SET
        cpu_ms = cpu_ms + excluded.cpu_ms, kv_ops = kv_ops + excluded.kv_ops, kv_bytes = kv_bytes + excluded.kv_bytes,
        sql_ops = sql_ops + excluded.sql_ops, sql_bytes = sql_bytes + excluded.sql_bytes`,
      day,
      ...values,
    )
  }

  /** The stored use of each UTC day from `from` on, oldest first. */
  readUsage(from: number): (UsageCounts & { at: number })[] {
    return this.table()
      .exec<StoredUsage>('SELECT * FROM usage WHERE at >= ? ORDER BY at', from)
      .toArray()
      .map((row) => ({
        at: row.at,
        cpuMs: row.cpu_ms,
        kvOps: row.kv_ops,
        kvBytes: row.kv_bytes,
        sqlOps: row.sql_ops,
        sqlBytes: row.sql_bytes,
      }))
  }

  /** The CPU ms stored for `day` so far (CPU budgets: budgets/allowances.ts). */
  cpuSpent(day: number): number {
    return this.table().exec<{ cpu_ms: number }>('SELECT cpu_ms FROM usage WHERE at = ?', day).toArray()[0]?.cpu_ms ?? 0
  }

  /**
   * The stored days from `from` on, oldest first: each the merge of its minutes, with the day's use
   * beside it (a day with use and no request too), so the usage export makes one call per worker.
   */
  readDays(from: number): DayRow[] {
    const days = this.table().exec<StoredMinute>('SELECT * FROM days WHERE at >= ?', from).toArray().map(parse)
    const byDay = new Map<number, DayRow>(days.map((day) => [day.at, day]))
    for (const { at, ...used } of this.readUsage(from))
      byDay.set(at, { ...(byDay.get(at) ?? { at, ...emptyMinute() }), ...used })
    return [...byDay.values()].sort((a, b) => a.at - b.at)
  }

  /** The stored minutes from `from` on, oldest first. */
  read(from: number): MinuteRow[] {
    return this.table().exec<StoredMinute>('SELECT * FROM minutes WHERE at >= ? ORDER BY at', from).toArray().map(parse)
  }

  /** Adds an aggregate of one deployment during a rollout (metrics/rollout-metrics.ts), as `add` does. */
  async addDeployment(deployment: string, row: MinuteRow, ownerId: string): Promise<void> {
    if (!(await this.generation.admits(ownerId))) return
    addDeploymentMinute(this.ctx.storage.sql, deployment, row, Date.now() - METRICS_WINDOW_MS - MINUTE_MS)
  }

  /** The stored minutes of one deployment from `from` on, oldest first. */
  readDeployment(deployment: string, from: number): MinuteRow[] {
    return readDeploymentMinutes(this.ctx.storage.sql, deployment, from)
  }

  /**
   * Leases up to `want` more requests of `day` to an isolate, within `limit` for the day
   * (budgets/allowances.ts): what it grants is counted at once, so all the isolates together are
   * never granted more than the limit. 0 when the day's budget is spent.
   */
  lease(day: number, want: number, limit: number): number {
    const sql = this.table()
    sql.exec('DELETE FROM leases WHERE day < ?', day)
    const leased =
      sql.exec<{ leased: number }>('SELECT leased FROM leases WHERE day = ?', day).toArray()[0]?.leased ?? 0
    const granted = Math.max(0, Math.min(want, limit - leased))
    if (granted > 0) sql.exec('INSERT OR REPLACE INTO leases VALUES (?, ?)', day, leased + granted)
    return granted
  }

  /** Forgets everything (the worker of `ownerId` was deleted): a re-created name starts empty. */
  async forget(ownerId: string): Promise<void> {
    this.generation.retire(ownerId)
    await this.ctx.storage.deleteAll()
  }

  // Created on use: deleteAll() drops the table with everything else.
  private table(): SqlStorage {
    const { sql } = this.ctx.storage
    sql.exec('CREATE TABLE IF NOT EXISTS minutes (at INTEGER PRIMARY KEY, requests, errors, histogram)')
    sql.exec('CREATE TABLE IF NOT EXISTS days (at INTEGER PRIMARY KEY, requests, errors, histogram)')
    sql.exec('CREATE TABLE IF NOT EXISTS leases (day INTEGER PRIMARY KEY, leased INTEGER)')
    sql.exec(
      'CREATE TABLE IF NOT EXISTS usage (at INTEGER PRIMARY KEY, cpu_ms REAL, kv_ops INTEGER, kv_bytes INTEGER, sql_ops INTEGER, sql_bytes INTEGER)',
    )
    return sql
  }
}

interface StoredUsage extends Record<string, SqlStorageValue> {
  at: number
  cpu_ms: number
  kv_ops: number
  kv_bytes: number
  sql_ops: number
  sql_bytes: number
}

const HISTOGRAM = array(number())

/** Adds an aggregate to the row of `table` at `at` (histograms add up exactly). */
function merge(sql: SqlStorage, table: 'minutes' | 'days', at: number, row: MinuteRow): void {
  const stored = sql.exec<StoredMinute>(`SELECT * FROM ${table} WHERE at = ?`, at).toArray()[0]
  const merged = stored ? mergeMinutes(parse(stored), row) : row
  sql.exec(
    `INSERT OR REPLACE INTO ${table} VALUES (?, ?, ?, ?)`,
    at,
    merged.requests,
    merged.errors,
    JSON.stringify(merged.histogram),
  )
}

function parse(stored: StoredMinute): MinuteRow {
  return {
    at: stored.at,
    requests: stored.requests,
    errors: stored.errors,
    histogram: parseStoredJson(HISTOGRAM, stored.histogram, `The histogram of minute ${stored.at}`),
  }
}
