// The hot path of metrics: each dispatched request is counted into this isolate's memory, never
// written one by one. A (name, minute) aggregate goes to storage once its minute is over or once it
// is FLUSH_AFTER_MS old, on a later request and in the background (ctx.waitUntil). An isolate can be
// evicted at any time and nothing runs between requests, so what an isolate has not flushed yet is
// lost with it: at most its last FLUSH_AFTER_MS of traffic per worker, or, for an isolate that gets
// no further request, its last partial minute.
import type { UserWorkerFetcher } from '../backends/backend'
import { emptyMinute, minuteOf, recordRequest, type MinuteRow } from './metrics'
import type { Background } from '../core/follow-up'
import type { DayRow } from './usage-counts'

/** How old an unflushed aggregate may get before a request flushes it, though its minute is not over. */
export const FLUSH_AFTER_MS = 30_000
/** How often a request looks at the other workers' aggregates (whose minute may be over). */
const SWEEP_EVERY_MS = 5_000
/**
 * How many other workers' aggregates one request flushes at most; the next requests go on with the
 * rest. When a minute ends, every worker busy in it is due at once: unbounded, the request that
 * swept after a minute of 1,000 busy tenants started 1,000 writes and took 0.74 s (13 ms with
 * METRICS=off), and on Cloudflare they would count against its subrequest limit (50 on the Free
 * plan). With 2 a request, the requests while the backlog drained took 9–19 ms against 7–15 ms
 * with METRICS=off; with 8, 15–34 ms (bench/minute-flush.mjs, local workerd, where the metrics
 * objects share the core with dispatch).
 */
export const SWEEP_BATCH = 2
/**
 * Workers whose aggregates an isolate holds at once: past it, the oldest is flushed early (a
 * second row for its minute, which merges on read), so memory stays bounded however many tenants
 * are busy within a minute.
 */
export const MAX_PENDING_WORKERS = 10_000

/**
 * Whose traffic is counted: the name, and the owner generation the request was served for
 * (core/generation.ts) — a request that outlives its owner's deletion counts for nobody.
 */
export interface MeteredWorker {
  name: string
  ownerId: string
}

/** What the platform does with metrics: record on the hot path, read for the page and API, forget on delete. */
export interface Metrics {
  /** One request's outcome: its status (null when the user Worker threw) and wall time. Never throws. */
  record(worker: MeteredWorker, status: number | null, wallMs: number, background?: Background): void
  /** The worker's minutes from `from` on (a minute may come in several rows: they merge). */
  read(worker: MeteredWorker, from: number): Promise<MinuteRow[]>
  /** Deletes the worker's metrics; what its generation still sends afterwards is refused. */
  forget(worker: MeteredWorker): Promise<void>
  /** Writes whatever this isolate holds back now (tests use it instead of waiting for a minute to end). */
  flush(): Promise<void>
  /**
   * The worker's UTC days from `from` on, exact (metrics/usage.ts); absent where the store cannot
   * give exact counts (Analytics Engine samples).
   */
  readDays?(worker: MeteredWorker, from: number): Promise<DayRow[]>
}

/** Durable storage of one worker's per-minute aggregates (its WorkerMetrics Durable Object). */
export interface WorkerMetricsStore {
  /** Adds an aggregate to what is stored for its minute, unless `ownerId` no longer holds the name. */
  add(row: MinuteRow, ownerId: string): Promise<void>
  read(from: number): Promise<MinuteRow[]>
  readDays(from: number): Promise<DayRow[]>
  forget(ownerId: string): Promise<void>
}

/** Where each worker's store is: the WorkerMetrics namespace (one object per name). */
export interface MetricsStore {
  getByName(name: string): WorkerMetricsStore
}

interface Pending {
  /** The generation the requests were served for. */
  ownerId: string
  row: MinuteRow
  /** When this aggregate got its first request. */
  since: number
}

/** Aggregates in isolate memory (name → current minute) and flushes them to a MetricsStore. */
export class MinuteAggregator implements Metrics {
  private readonly pending = new Map<string, Pending>()
  private nextSweep = 0

  constructor(
    private readonly store: MetricsStore,
    private readonly now: () => number = Date.now,
  ) {}

  record({ name, ownerId }: MeteredWorker, status: number | null, wallMs: number, background?: Background): void {
    const now = this.now()
    const at = minuteOf(now)
    let entry = this.pending.get(name)
    // Another generation's aggregate is never merged into this one: flushed apart, its owner's store decides.
    if (entry && (entry.row.at !== at || now - entry.since >= FLUSH_AFTER_MS || entry.ownerId !== ownerId)) {
      this.flushEntry(name, entry, background)
      entry = undefined
    }
    if (!entry) {
      const oldest = this.pending.size >= MAX_PENDING_WORKERS ? this.pending.entries().next().value : undefined
      if (oldest) this.flushEntry(oldest[0], oldest[1], background)
      entry = { ownerId, row: { at, ...emptyMinute() }, since: now }
      this.pending.set(name, entry)
    }
    recordRequest(entry.row, status, wallMs)
    if (now >= this.nextSweep) this.sweep(now, at, background)
  }

  /** Flushes up to SWEEP_BATCH due aggregates; with more due, the next request sweeps again. */
  private sweep(now: number, at: number, background: Background | undefined): void {
    let flushed = 0
    for (const [name, waiting] of this.pending) {
      if (waiting.row.at === at && now - waiting.since < FLUSH_AFTER_MS) continue
      if (flushed === SWEEP_BATCH) return
      this.flushEntry(name, waiting, background)
      flushed += 1
    }
    this.nextSweep = now + SWEEP_EVERY_MS
  }

  /** Stored minutes and this isolate's unflushed one: the page shows requests made seconds ago. */
  /** What is stored of the worker's days (what this isolate still holds is not: the export is of flushed minutes). */
  readDays({ name }: MeteredWorker, from: number): Promise<DayRow[]> {
    return this.store.getByName(name).readDays(from)
  }

  async read({ name, ownerId }: MeteredWorker, from: number): Promise<MinuteRow[]> {
    const stored = await this.store.getByName(name).read(from)
    const waiting = this.pending.get(name)
    return waiting?.ownerId === ownerId
      ? [...stored, { ...waiting.row, histogram: [...waiting.row.histogram] }]
      : stored
  }

  async forget({ name, ownerId }: MeteredWorker): Promise<void> {
    if (this.pending.get(name)?.ownerId === ownerId) this.pending.delete(name)
    await this.store.getByName(name).forget(ownerId)
  }

  async flush(): Promise<void> {
    const writes = [...this.pending].map(([name, entry]) => this.write(name, entry))
    this.pending.clear()
    await Promise.all(writes)
  }

  private flushEntry(name: string, entry: Pending, background: Background | undefined): void {
    this.pending.delete(name)
    const write = this.write(name, entry)
    background?.waitUntil(write)
  }

  private async write(name: string, { row, ownerId }: Pending): Promise<void> {
    try {
      await this.store.getByName(name).add(row, ownerId)
    } catch (error) {
      // Metrics are best effort: a failed write loses this aggregate, never the request.
      console.warn(`could not store metrics of "${name}" (${error instanceof Error ? error.name : 'error'})`)
    }
  }
}

/**
 * The fetcher, counting each request into `metrics`: its wall time from the call to the response
 * headers (the body streams afterwards), and whether it failed (status ≥ 500, or an exception).
 */
export function metered(
  fetcher: Pick<UserWorkerFetcher, 'fetch'>,
  worker: MeteredWorker,
  metrics: Metrics,
  background: Background | undefined,
  now: () => number = Date.now,
): Pick<UserWorkerFetcher, 'fetch'> {
  return {
    async fetch(request) {
      const started = now()
      try {
        const response = await fetcher.fetch(request)
        metrics.record(worker, response.status, now() - started, background)
        return response
      } catch (error) {
        metrics.record(worker, null, now() - started, background)
        throw error
      }
    },
  }
}
