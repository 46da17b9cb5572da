// What a worker used beyond its requests — CPU time (from its tail) and env.KV / env.DB calls (from
// the storage entrypoints and objects) — counted in the memory of the isolate that saw it and flushed
// to the worker's WorkerMetrics object in the background, as metrics-recorder.ts does for requests:
// no write per call. What an isolate has not flushed when it is evicted is lost (at most its last
// USAGE_FLUSH_AFTER_MS per worker, or the last partial aggregate of an isolate that sees no more
// calls of the worker); docs/metrics.md#usage says so.
import type { Background } from '../core/follow-up'
import { dayOf, type MinuteRow } from './metrics'

/** One worker's use in a UTC day (or part of one); every field adds up exactly. */
export interface UsageCounts {
  /** CPU time of its invocations (the tail's `cpuTime`), ms. */
  cpuMs: number
  /** env.KV calls that succeeded (get, getWithMetadata, put, delete, list), each one. */
  kvOps: number
  /** Bytes of values read by get/getWithMetadata, plus key + value + metadata bytes written by put. */
  kvBytes: number
  /** env.DB statements that ran (a batch counts each, exec each of its statements). */
  sqlOps: number
  /** Bytes of the statements sent (SQL text and bound values) plus bytes of the rows returned. */
  sqlBytes: number
}

/** A stored UTC day: its requests (as a minute's) and its use beside them, when it had any. */
export interface DayRow extends MinuteRow, Partial<UsageCounts> {}

export const USAGE_FIELDS = ['cpuMs', 'kvOps', 'kvBytes', 'sqlOps', 'sqlBytes'] as const

export function emptyUsage(): UsageCounts {
  return { cpuMs: 0, kvOps: 0, kvBytes: 0, sqlOps: 0, sqlBytes: 0 }
}

/** Adds `more` into `into` (mutates it: the hot path allocates nothing). */
export function addUsage(into: UsageCounts, more: Partial<UsageCounts>): UsageCounts {
  for (const field of USAGE_FIELDS) into[field] += more[field] ?? 0
  return into
}

/** Where a worker's use is stored: its name's WorkerMetrics object (one per name). */
export interface UsageStore {
  getByName(name: string): { addUsage(day: number, counts: UsageCounts, ownerId: string): Promise<void> }
}

/** How old an unflushed aggregate may get before a later call of any worker in this isolate flushes it. */
export const USAGE_FLUSH_AFTER_MS = 30_000
/** How often a call looks at the other workers' aggregates, and how many it flushes at most (as metrics do). */
const SWEEP_EVERY_MS = 5_000
const SWEEP_BATCH = 2
/** Workers held at once: past it the oldest is flushed early (memory stays bounded). */
const MAX_PENDING = 10_000

interface Pending {
  store: UsageStore
  name: string
  ownerId: string
  day: number
  since: number
  counts: UsageCounts
}

/** Per-isolate aggregates of workers' use, (name, owner generation) → today's counts so far. */
export class UsageAggregator {
  private readonly pending = new Map<string, Pending>()
  private nextSweep = 0

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts use of a worker's generation; its aggregate goes to `store` later, in `background`. Never throws. */
  count(
    store: UsageStore,
    worker: { name: string; ownerId: string },
    counts: Partial<UsageCounts>,
    background?: Background,
  ): void {
    const now = this.now()
    const day = dayOf(now)
    const key = `${worker.name}/${worker.ownerId}`
    let entry = this.pending.get(key)
    if (entry && (entry.day !== day || now - entry.since >= USAGE_FLUSH_AFTER_MS)) {
      this.flushEntry(key, entry, background)
      entry = undefined
    }
    if (!entry) {
      const oldest = this.pending.size >= MAX_PENDING ? this.pending.entries().next().value : undefined
      if (oldest) this.flushEntry(oldest[0], oldest[1], background)
      entry = { store, name: worker.name, ownerId: worker.ownerId, day, since: now, counts: emptyUsage() }
      this.pending.set(key, entry)
    }
    addUsage(entry.counts, counts)
    if (now >= this.nextSweep) this.sweep(now, day, background)
  }

  /** Writes whatever this isolate holds now (tests; MetricsReader.flush). */
  async flush(): Promise<void> {
    const writes = [...this.pending.values()].map((entry) => write(entry))
    this.pending.clear()
    await Promise.all(writes)
  }

  private sweep(now: number, day: number, background: Background | undefined): void {
    let flushed = 0
    for (const [key, waiting] of this.pending) {
      if (waiting.day === day && now - waiting.since < USAGE_FLUSH_AFTER_MS) continue
      if (flushed === SWEEP_BATCH) return
      this.flushEntry(key, waiting, background)
      flushed += 1
    }
    this.nextSweep = now + SWEEP_EVERY_MS
  }

  private flushEntry(key: string, entry: Pending, background: Background | undefined): void {
    this.pending.delete(key)
    const written = write(entry)
    try {
      background?.waitUntil(written)
    } catch {
      // The call that counted has ended (a KV stream read to its end later): the write runs on its own.
    }
  }
}

async function write({ store, name, ownerId, day, counts }: Pending): Promise<void> {
  try {
    await store.getByName(name).addUsage(day, counts, ownerId)
  } catch (error) {
    // Best effort, as metrics: a failed write loses this aggregate, never the call it counted.
    console.warn(`could not store usage of "${name}" (${error instanceof Error ? error.name : 'error'})`)
  }
}

/** This isolate's aggregates (tail, KV entrypoint and database objects of this isolate count into it). */
export const usageCounter = new UsageAggregator()
