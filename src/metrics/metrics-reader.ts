import type { WorkerRecord } from '../core/model'
import { dayOf, METRICS_WINDOW_MS, MINUTE_MS, minuteOf, reportOf, type MetricsReport } from './metrics'
import type { Metrics } from './metrics-recorder'

/** A worker's metrics as its page shows them; every call is a no-op when metrics are off (METRICS=off). */
export class MetricsReader {
  constructor(
    private readonly parts: {
      metrics: Metrics | undefined
      now: () => number
    },
  ) {}

  /**
   * The worker's requests, errors and wall time per minute over the last 24 hours (not before the
   * record was created: a re-created name starts empty); null when metrics are off.
   */
  async read(record: WorkerRecord): Promise<MetricsReport | null> {
    const { metrics } = this.parts
    if (!metrics) return null
    const now = this.parts.now()
    const from = Math.max(minuteOf(now - METRICS_WINDOW_MS) + MINUTE_MS, minuteOf(Date.parse(record.createdAt)))
    return reportOf(record.name, await metrics.read(record, from), from, now)
  }

  /**
   * The workers' metrics as one report (their minutes merged, so p50 and p99 are those of all their
   * requests), e.g. of the workers with a tag; null when metrics are off.
   */
  async readAll(label: string, records: WorkerRecord[]): Promise<MetricsReport | null> {
    const { metrics } = this.parts
    if (!metrics) return null
    const now = this.parts.now()
    const windowStart = minuteOf(now - METRICS_WINDOW_MS) + MINUTE_MS
    const rows = await Promise.all(
      records.map((record) => metrics.read(record, Math.max(windowStart, minuteOf(Date.parse(record.createdAt))))),
    )
    return reportOf(label, rows.flat(), windowStart, now)
  }

  /** The requests the worker served today (UTC), as flushed; null when the store keeps no days. */
  async servedToday(record: WorkerRecord): Promise<number | null> {
    const { metrics } = this.parts
    if (!metrics?.readDays) return null
    const [today] = await metrics.readDays(record, dayOf(this.parts.now()))
    return today?.requests ?? 0
  }

  /** Stores the metrics this isolate still holds (for tests: nothing waits for a minute to end). */
  async flush(): Promise<void> {
    await this.parts.metrics?.flush()
  }

  /** Drops a removed worker's metrics. */
  async forget(record: WorkerRecord): Promise<void> {
    await this.parts.metrics?.forget(record)
  }
}
