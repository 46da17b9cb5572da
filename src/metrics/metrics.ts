// Per-worker metrics, per minute: requests, errors and the user Worker's wall time as the dispatch
// Worker sees it. Pure: no storage, no clock. Wall time goes into a fixed-bucket histogram, so the
// minutes that many isolates (or many flushes of one) recorded merge exactly by adding counts, and
// p50/p99 are read from the merged histogram (a p99 cannot be averaged).

/** How far back the worker page and the API look. */
export const METRICS_WINDOW_MS = 24 * 60 * 60_000
export const MINUTE_MS = 60_000
export const DAY_MS = 24 * 60 * 60_000
/** How long each worker's days are kept for the usage export (metrics/usage.ts). */
export const USAGE_DAYS_KEPT = 90

/** The UTC day a time falls in (its midnight, ms since the epoch). */
export function dayOf(time: number): number {
  return time - (time % DAY_MS)
}

/**
 * Upper bounds of the histogram's buckets, in ms: 1 ms to 60 s, log-spaced (each ×1.58 the last),
 * plus an implicit last bucket for everything slower. Bucket 0 holds [0, 1 ms).
 */
export const BUCKET_BOUNDS_MS: readonly number[] = Array.from({ length: 25 }, (_, i) =>
  Number((60_000 ** (i / 24)).toPrecision(3)),
)
export const BUCKETS = BUCKET_BOUNDS_MS.length + 1

/** One minute of one worker (or any merge of them). `histogram[i]` counts requests in bucket i. */
export interface MinuteMetrics {
  requests: number
  errors: number
  histogram: number[]
}

/** A stored minute: its start (ms since the epoch, a multiple of MINUTE_MS) and its metrics. */
export interface MinuteRow extends MinuteMetrics {
  at: number
}

/** What the API and the worker page show: minutes with traffic, oldest first, and the totals. */
export interface MetricsReport {
  name: string
  /** The window, as ISO times: the first minute included, and now. */
  from: string
  to: string
  minutes: MinuteSummary[]
  totals: Summary
}

export interface Summary {
  requests: number
  errors: number
  /** Wall-time quantiles in ms, read from the histogram (within one bucket); null without requests. */
  p50Ms: number | null
  p99Ms: number | null
}

export interface MinuteSummary extends Summary {
  /** The minute's start, ISO. */
  at: string
}

export function emptyMinute(): MinuteMetrics {
  return { requests: 0, errors: 0, histogram: new Array<number>(BUCKETS).fill(0) }
}

/** The start of the minute `time` falls in. */
export function minuteOf(time: number): number {
  return time - (time % MINUTE_MS)
}

/** Which bucket a wall time falls in (binary search over 25 bounds: five comparisons). */
export function bucketOf(ms: number): number {
  let low = 0
  let high = BUCKET_BOUNDS_MS.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (ms < (BUCKET_BOUNDS_MS[middle] ?? Infinity)) high = middle
    else low = middle + 1
  }
  return low
}

/**
 * Counts one request into `minute` (mutates it: the hot path allocates nothing). An error is a
 * response with status ≥ 500 or an exception (`status` null).
 */
export function recordRequest(minute: MinuteMetrics, status: number | null, wallMs: number): void {
  minute.requests += 1
  if (status === null || status >= 500) minute.errors += 1
  const bucket = bucketOf(wallMs)
  minute.histogram[bucket] = (minute.histogram[bucket] ?? 0) + 1
}

/** The sum of two aggregates: exact, associative and commutative (counts add up). */
export function mergeMinutes(a: MinuteMetrics, b: MinuteMetrics): MinuteMetrics {
  return {
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    histogram: Array.from({ length: BUCKETS }, (_, i) => (a.histogram[i] ?? 0) + (b.histogram[i] ?? 0)),
  }
}

/**
 * The q-quantile (0 < q ≤ 1) of a histogram, in ms: the nearest-rank request's bucket, interpolated
 * linearly inside it, so the answer is off by at most that bucket's width. The last bucket has no
 * upper bound: its answer is its lower bound (60 s), i.e. "at least". Null for an empty histogram.
 */
export function quantile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((sum, count) => sum + count, 0)
  if (total === 0) return null
  const rank = Math.max(1, Math.ceil(q * total))
  let seen = 0
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i] ?? 0
    if (count === 0 || seen + count < rank) {
      seen += count
      continue
    }
    const lower = i === 0 ? 0 : (BUCKET_BOUNDS_MS[i - 1] ?? 0)
    const upper = BUCKET_BOUNDS_MS[i]
    if (upper === undefined) return lower
    return round2(lower + ((rank - seen) / count) * (upper - lower))
  }
  return null
}

export function summarize(minute: MinuteMetrics): Summary {
  return {
    requests: minute.requests,
    errors: minute.errors,
    p50Ms: quantile(minute.histogram, 0.5),
    p99Ms: quantile(minute.histogram, 0.99),
  }
}

/**
 * The report for the `rows` of minutes starting within [from, to] (any order; several rows of one
 * minute merge): one entry per minute with traffic, and totals from the merge of them all.
 */
export function reportOf(name: string, rows: readonly MinuteRow[], from: number, to: number): MetricsReport {
  const byMinute = new Map<number, MinuteMetrics>()
  for (const row of rows) {
    if (row.at < from || row.at > to || row.requests === 0) continue
    const known = byMinute.get(row.at)
    byMinute.set(row.at, known ? mergeMinutes(known, row) : row)
  }
  const minutes = [...byMinute].sort(([a], [b]) => a - b)
  const total = minutes.reduce((sum, [, minute]) => mergeMinutes(sum, minute), emptyMinute())
  return {
    name,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    minutes: minutes.map(([at, minute]) => ({ at: new Date(at).toISOString(), ...summarize(minute) })),
    totals: summarize(total),
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}
