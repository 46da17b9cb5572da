import type { Accounts } from '../accounts/accounts'
import { PlatformError } from '../core/errors'
import type { WorkerRecord } from '../core/model'
import type { Proof } from '../names/ownership'
import type { Workers } from '../names/workers'
import type { Suspensions } from '../operators/suspensions'
import { dayOf, DAY_MS, summarize, USAGE_DAYS_KEPT } from './metrics'
import type { Metrics } from './metrics-recorder'
import { emptyUsage, USAGE_FIELDS, type UsageCounts } from './usage-counts'

/** Where each worker's use by day is read: its name's WorkerMetrics object. */
export interface UsageReader {
  getByName(name: string): { readUsage(from: number): Promise<(UsageCounts & { at: number })[]> }
}

/** One worker's day, as the export lists it: exact counts from the worker's metrics object. */
export interface UsageRow extends UsageCounts {
  /** The UTC day, YYYY-MM-DD. */
  date: string
  worker: string
  /** The account the worker belongs to, when it belongs to one. */
  account: string | null
  requests: number
  errors: number
  /** Wall-time quantiles of the day's requests, ms (from the merged histogram); null without requests. */
  p50Ms: number | null
  p99Ms: number | null
}

/** A worker's use so far today (UTC). */
export interface TodayUsage extends UsageCounts {
  /** Requests served, as flushed; null when metrics keep no days (METRICS=off or analytics-engine). */
  requests: number | null
}

/** The most workers one export by tag reads. */
const MAX_TAGGED_USAGE = 100

export const USAGE_CSV_HEADER =
  'date,account,worker,requests,errors,p50_ms,p99_ms,cpu_ms,kv_ops,kv_bytes,sql_ops,sql_bytes'

/** The rows as CSV (names and account IDs never hold a comma or a quote). */
export function usageCsv(rows: UsageRow[]): string {
  const lines = rows.map((row) =>
    [
      row.date,
      row.account ?? '',
      row.worker,
      row.requests,
      row.errors,
      row.p50Ms ?? '',
      row.p99Ms ?? '',
      row.cpuMs,
      row.kvOps,
      row.kvBytes,
      row.sqlOps,
      row.sqlBytes,
    ].join(','),
  )
  return `${[USAGE_CSV_HEADER, ...lines].join('\n')}\n`
}

/**
 * Usage a bill can be made from (docs/metrics.md#usage): per worker and UTC day, requests, errors,
 * wall-time p50/p99, CPU ms and KV/SQL operations and bytes, exact (the counts every dispatch isolate flushed to the worker's metrics
 * object; a minute an isolate still holds shows after it flushes). For a worker's owner, an
 * account (its workers), or the operator (every worker, a page of the list at a time). Only with
 * METRICS=local: Analytics Engine samples, which no bill should be made from.
 */
export class UsageExport {
  constructor(
    private readonly parts: {
      metrics: Pick<Metrics, 'readDays'> | undefined
      /** Use by day without metrics' days (METRICS=off), for the worker page; the export reads it with the days. */
      usage: UsageReader
      workers: Pick<Workers, 'owned' | 'find' | 'list' | 'tagged'>
      accounts: Pick<Accounts, 'require' | 'view'>
      suspensions: Pick<Suspensions, 'assertAdmin'>
      now: () => number
    },
  ) {}

  async ofWorker(name: string, proof: Proof): Promise<UsageRow[]> {
    return this.rows([await this.parts.workers.owned(name, proof)], null)
  }

  /** The account's workers, for an API token of it. */
  async ofAccount(apiToken: string | undefined): Promise<UsageRow[]> {
    const { accounts, workers } = this.parts
    const accountId = await accounts.require(apiToken)
    const { workers: names } = await accounts.view(accountId)
    const records = await Promise.all(names.map((name) => workers.find(name)))
    return this.rows(
      records.filter((record) => record !== null),
      accountId,
    )
  }

  /** Every worker, one page of the list at a time (`cursor` goes on), for the operator. */
  async ofAll(proof: Proof, cursor: string | undefined): Promise<{ rows: UsageRow[]; cursor?: string }> {
    const { suspensions, workers } = this.parts
    await suspensions.assertAdmin(proof)
    const page = await workers.list(cursor)
    const records = await Promise.all(page.workers.map((worker) => workers.find(worker.name)))
    const rows = await this.rows(
      records.filter((record) => record !== null),
      null,
    )
    return page.cursor ? { rows, cursor: page.cursor } : { rows }
  }

  /** The workers with a tag (at most 100), for the operator. */
  async ofTag(tag: string, proof: Proof): Promise<UsageRow[]> {
    await this.parts.suspensions.assertAdmin(proof)
    return this.rows(await this.parts.workers.tagged(tag, MAX_TAGGED_USAGE), null)
  }

  /**
   * What the worker used today (UTC), as flushed, for its page: requests (null when metrics keep
   * no days) and its CPU, KV and SQL use.
   */
  async today(record: WorkerRecord): Promise<TodayUsage> {
    const from = dayOf(this.parts.now())
    const readDays = this.parts.metrics?.readDays?.bind(this.parts.metrics)
    const [day] = readDays
      ? await readDays(record, from)
      : await this.parts.usage.getByName(record.name).readUsage(from)
    const used = emptyUsage()
    for (const field of USAGE_FIELDS) used[field] = day?.[field] ?? 0
    return { requests: readDays ? (day && 'requests' in day ? day.requests : 0) : null, ...used }
  }

  private async rows(records: WorkerRecord[], account: string | null): Promise<UsageRow[]> {
    const readDays = this.parts.metrics?.readDays?.bind(this.parts.metrics)
    if (!readDays) {
      throw new PlatformError(
        'not_found',
        'The usage export needs METRICS=local: Analytics Engine samples requests, and no bill should be made from samples.',
      )
    }
    const from = dayOf(this.parts.now()) - (USAGE_DAYS_KEPT - 1) * DAY_MS
    const perWorker = await Promise.all(
      records.map(async (record) =>
        // A day may have use without requests (a cron run): the object lists it too, with 0 requests.
        (await readDays(record, from)).map((day): UsageRow => {
          const { requests, errors, p50Ms, p99Ms } = summarize(day)
          const date = new Date(day.at).toISOString().slice(0, 10)
          const used = emptyUsage()
          for (const field of USAGE_FIELDS) used[field] = day[field] ?? 0
          return { date, account, worker: record.name, requests, errors, p50Ms, p99Ms, ...used }
        }),
      ),
    )
    return perWorker.flat().sort((a, b) => a.date.localeCompare(b.date) || a.worker.localeCompare(b.worker))
  }
}
