import { DurableObject } from 'cloudflare:workers'
import { GenerationGate } from '../core/generation'
import {
  BUCKETS,
  DAY_MS,
  dayOf,
  METRICS_WINDOW_MS,
  MINUTE_MS,
  mergeMinutes,
  USAGE_DAYS_KEPT,
  type MinuteRow,
} from './metrics'
import { array, number } from 'valibot'
import { parseStoredJson } from '../core/schema'
import { addDeploymentMinute, readDeploymentMinutes } from './deployment-minutes'

interface StoredMinute extends Record<string, SqlStorageValue> {
  at: number
  requests: number
  errors: number
  histogram: string
}

/**
 * One object per worker name (SQLite-backed): its metrics, one row per minute that had traffic,
 * for the last 24 hours, and one per UTC day for USAGE_DAYS_KEPT (the usage export). Each row is the merge of every aggregate isolates flushed for that minute
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

  /** The stored days from `from` on, oldest first (each the merge of its minutes). */
  readDays(from: number): MinuteRow[] {
    return this.table().exec<StoredMinute>('SELECT * FROM days WHERE at >= ? ORDER BY at', from).toArray().map(parse)
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
    return sql
  }
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
