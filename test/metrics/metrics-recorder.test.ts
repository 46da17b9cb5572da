import { describe, expect, it } from 'vitest'
import {
  FLUSH_AFTER_MS,
  metered,
  MinuteAggregator,
  SWEEP_BATCH,
  type MetricsStore,
} from '../../src/metrics/metrics-recorder'
import type { MinuteRow } from '../../src/metrics/metrics'

/** A worker of one owner generation (generation.ts). */
const worker = (name: string) => ({ name, ownerId: 'o-test' })

const T0 = Date.UTC(2026, 11, 1, 10, 0, 5)

/** A store that remembers what it was given, and a clock the test moves. */
function setup() {
  const added: { name: string; row: MinuteRow }[] = []
  const store: MetricsStore = {
    getByName: (name) => ({
      add: (row) => {
        added.push({ name, row })
        return Promise.resolve()
      },
      read: () => Promise.resolve(added.filter((entry) => entry.name === name).map((entry) => entry.row)),
      readDays: () => Promise.resolve([]),
      forget: () => Promise.resolve(),
    }),
  }
  const clock = { now: T0 }
  const background: Promise<unknown>[] = []
  const ctx = { waitUntil: (promise: Promise<unknown>) => void background.push(promise) }
  const aggregator = new MinuteAggregator(store, () => clock.now)
  return { added, store, clock, ctx, background, aggregator }
}

describe('metrics aggregator (isolate memory)', () => {
  it('writes nothing per request: a thousand requests in one minute cost no storage write', () => {
    const { added, ctx, aggregator, clock } = setup()
    for (let i = 0; i < 1000; i++) {
      clock.now = T0 + i * 20 // 20 s in all
      aggregator.record(worker('hello'), 200, 3, ctx)
    }
    expect(added).toEqual([])
  })

  it('flushes a minute on the first request after it ended, in the background', async () => {
    const { added, ctx, background, aggregator, clock } = setup()
    aggregator.record(worker('hello'), 200, 3, ctx)
    aggregator.record(worker('hello'), 500, 7, ctx)
    clock.now = T0 + 60_000
    aggregator.record(worker('hello'), 200, 3, ctx)
    await Promise.all(background)
    expect(added).toHaveLength(1)
    expect(added[0]).toMatchObject({ name: 'hello', row: { at: Date.UTC(2026, 11, 1, 10, 0), requests: 2, errors: 1 } })
  })

  it(`flushes a partial minute once it is ${FLUSH_AFTER_MS / 1000} s old, so an evicted isolate loses little`, async () => {
    const { added, ctx, background, aggregator, clock } = setup()
    aggregator.record(worker('hello'), 200, 3, ctx)
    clock.now = T0 + FLUSH_AFTER_MS
    aggregator.record(worker('hello'), 200, 3, ctx)
    await Promise.all(background)
    expect(added.map(({ row }) => row.requests)).toEqual([1])
    // The second part of the minute is stored later, and the store merges the two.
    await aggregator.flush()
    expect(added.map(({ row }) => [row.at, row.requests])).toEqual([
      [Date.UTC(2026, 11, 1, 10, 0), 1],
      [Date.UTC(2026, 11, 1, 10, 0), 1],
    ])
  })

  it('flushes other workers whose minute is over when any request comes in', async () => {
    const { added, ctx, background, aggregator, clock } = setup()
    aggregator.record(worker('quiet'), 200, 3, ctx)
    clock.now = T0 + 61_000
    aggregator.record(worker('busy'), 200, 3, ctx)
    await Promise.all(background)
    expect(added.map(({ name }) => name)).toEqual(['quiet'])
  })

  it(`a request flushes at most ${SWEEP_BATCH} other workers; the next requests flush the rest`, async () => {
    const { added, ctx, background, aggregator, clock } = setup()
    const tenants = SWEEP_BATCH * 3 + 1
    for (let i = 0; i < tenants; i++) aggregator.record(worker(`tenant-${i}`), 200, 3, ctx)
    clock.now = T0 + 61_000
    const flushedAfter = async () => {
      aggregator.record(worker('busy'), 200, 3, ctx)
      await Promise.all(background)
      return added.length
    }
    expect(await flushedAfter()).toBe(SWEEP_BATCH)
    expect(await flushedAfter()).toBe(SWEEP_BATCH * 2)
    expect(await flushedAfter()).toBe(SWEEP_BATCH * 3)
    expect(await flushedAfter()).toBe(tenants)
    // Nothing is flushed twice, and the busy worker's own minute is still open.
    expect(new Set(added.map(({ name }) => name)).size).toBe(tenants)
    expect(await flushedAfter()).toBe(tenants)
  })

  it('reads stored minutes and the one this isolate still holds', async () => {
    const { ctx, aggregator, clock } = setup()
    aggregator.record(worker('hello'), 200, 3, ctx)
    clock.now = T0 + 60_000
    aggregator.record(worker('hello'), 200, 3, ctx)
    aggregator.record(worker('hello'), 200, 3, ctx)
    const rows = await aggregator.read(worker('hello'), 0)
    expect(rows.map((row) => row.requests)).toEqual([1, 2])
  })

  it('loses only the aggregate when the store fails, never the request', async () => {
    const { ctx, background, clock } = setup()
    const failing: MetricsStore = {
      getByName: () => ({
        add: () => Promise.reject(new Error('storage down')),
        read: () => Promise.resolve([]),
        readDays: () => Promise.resolve([]),
        forget: () => Promise.resolve(),
      }),
    }
    const aggregator = new MinuteAggregator(failing, () => clock.now)
    aggregator.record(worker('hello'), 200, 3, ctx)
    clock.now += 60_000
    expect(() => aggregator.record(worker('hello'), 200, 3, ctx)).not.toThrow()
    await expect(Promise.all(background)).resolves.toBeDefined()
  })

  it('meters a fetcher: status, wall time to the headers, and an exception as an error', async () => {
    const { ctx, aggregator, clock } = setup()
    const answer = (status: number) => ({
      fetch: () => {
        clock.now += 12
        return Promise.resolve(new Response(null, { status }))
      },
    })
    await metered(answer(200), worker('hello'), aggregator, ctx, () => clock.now).fetch(new Request('http://x/'))
    await metered(answer(503), worker('hello'), aggregator, ctx, () => clock.now).fetch(new Request('http://x/'))
    const throwing = { fetch: () => Promise.reject(new Error('user code threw')) }
    await expect(metered(throwing, worker('hello'), aggregator, ctx).fetch(new Request('http://x/'))).rejects.toThrow()
    const [row] = await aggregator.read(worker('hello'), 0)
    expect(row).toMatchObject({ requests: 3, errors: 2 })
    expect(row!.histogram.reduce((sum, count) => sum + count, 0)).toBe(3)
  })
})
