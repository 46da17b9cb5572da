import { describe, expect, it } from 'vitest'
import {
  BUCKET_BOUNDS_MS,
  BUCKETS,
  bucketOf,
  emptyMinute,
  mergeMinutes,
  quantile,
  recordRequest,
  reportOf,
  type MinuteMetrics,
} from '../../src/metrics/metrics'

/** A deterministic pseudo-random sequence (tests must not depend on luck). */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state / 2 ** 31
  }
}

/** Wall times spread log-uniformly from 0.1 ms to 30 s, so nearly every bucket gets some. */
function samples(count: number, seed: number): number[] {
  const next = random(seed)
  return Array.from({ length: count }, () => 10 ** (next() * Math.log10(300_000) - 1))
}

function minuteOfSamples(times: number[], statuses: (number | null)[] = []): MinuteMetrics {
  const minute = emptyMinute()
  times.forEach((ms, i) => recordRequest(minute, i < statuses.length ? (statuses[i] as number | null) : 200, ms))
  return minute
}

/** The width of the bucket a value falls in (the last one has none: its answer is its lower bound). */
function bucketWidth(ms: number): number {
  const i = bucketOf(ms)
  const lower = i === 0 ? 0 : BUCKET_BOUNDS_MS[i - 1]!
  return (BUCKET_BOUNDS_MS[i] ?? lower) - lower
}

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!
}

describe('metrics model', () => {
  it('has log-spaced buckets from 1 ms to 60 s, and one for everything slower', () => {
    expect(BUCKET_BOUNDS_MS[0]).toBe(1)
    expect(BUCKET_BOUNDS_MS.at(-1)).toBe(60_000)
    expect(BUCKETS).toBe(26)
    expect(bucketOf(0)).toBe(0)
    expect(bucketOf(0.99)).toBe(0)
    expect(bucketOf(1)).toBe(1)
    expect(bucketOf(59_999)).toBe(24)
    expect(bucketOf(60_000)).toBe(25)
    expect(bucketOf(3_600_000)).toBe(25)
  })

  it('counts 5xx responses and exceptions as errors, nothing else', () => {
    const minute = minuteOfSamples([1, 1, 1, 1, 1, 1], [200, 404, 499, 500, 503, null])
    expect(minute.requests).toBe(6)
    expect(minute.errors).toBe(3)
  })

  it('merges exactly: associative and commutative, counts add up', () => {
    const [a, b, c] = [1, 2, 3].map((seed) => minuteOfSamples(samples(200 * seed, seed), [500, null]))
    expect(mergeMinutes(mergeMinutes(a!, b!), c!)).toEqual(mergeMinutes(a!, mergeMinutes(b!, c!)))
    expect(mergeMinutes(a!, b!)).toEqual(mergeMinutes(b!, a!))
    expect(mergeMinutes(a!, emptyMinute())).toEqual(a)
    const all = mergeMinutes(mergeMinutes(a!, b!), c!)
    expect(all.requests).toBe(1200)
    expect(all.errors).toBe(6)
    // The merge of parts is the aggregate of the whole.
    const whole = minuteOfSamples([...samples(200, 1), ...samples(400, 2), ...samples(600, 3)])
    expect(all.histogram).toEqual(whole.histogram)
  })

  it('reads p50 and p99 within one bucket of the exact quantile, also after merging', () => {
    for (const seed of [7, 8, 9]) {
      const parts = [samples(500, seed), samples(1500, seed + 100)]
      const merged = mergeMinutes(minuteOfSamples(parts[0]!), minuteOfSamples(parts[1]!))
      const sorted = [...parts[0]!, ...parts[1]!].sort((x, y) => x - y)
      for (const q of [0.5, 0.99]) {
        const exact = exactQuantile(sorted, q)
        const read = quantile(merged.histogram, q)!
        expect(Math.abs(read - exact)).toBeLessThanOrEqual(bucketWidth(exact) + 0.01)
      }
    }
  })

  it('gives no quantile without requests, and the lower bound for the slowest bucket', () => {
    expect(quantile(emptyMinute().histogram, 0.5)).toBeNull()
    expect(quantile(minuteOfSamples([120_000]).histogram, 0.99)).toBe(60_000)
  })

  it('shows why p99 cannot be averaged: the merged histogram gives the real one', () => {
    const fast = minuteOfSamples(new Array<number>(990).fill(2))
    const slow = minuteOfSamples(new Array<number>(10).fill(5_000))
    const averaged = (quantile(fast.histogram, 0.99)! + quantile(slow.histogram, 0.99)!) / 2
    const merged = quantile(mergeMinutes(fast, slow).histogram, 0.99)!
    expect(merged).toBeLessThan(3) // 99 % of all requests took 2 ms
    expect(averaged).toBeGreaterThan(1_000)
  })

  it('reports the minutes with traffic in the window, rows of one minute merged, with totals', () => {
    const at = Date.UTC(2026, 11, 1, 10, 0)
    const row = (offset: number, ms: number, status = 200) => ({
      at: at + offset * 60_000,
      ...minuteOfSamples([ms], [status]),
    })
    const rows = [row(1, 10), row(0, 5, 500), row(1, 20), row(-1, 1), row(3, 1), { at: at + 120_000, ...emptyMinute() }]
    const report = reportOf('hello', rows, at, at + 2 * 60_000)
    expect(report).toMatchObject({
      name: 'hello',
      from: '2026-12-01T10:00:00.000Z',
      to: '2026-12-01T10:02:00.000Z',
      totals: { requests: 3, errors: 1 },
    })
    expect(report.minutes.map((minute) => [minute.at, minute.requests, minute.errors])).toEqual([
      ['2026-12-01T10:00:00.000Z', 1, 1],
      ['2026-12-01T10:01:00.000Z', 2, 0],
    ])
    expect(report.totals.p50Ms).toBeGreaterThanOrEqual(6.2)
    expect(report.totals.p50Ms).toBeLessThanOrEqual(15.8)
  })
})
