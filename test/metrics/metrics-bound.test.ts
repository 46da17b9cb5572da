import { describe, expect, it } from 'vitest'
import type { MinuteRow } from '../../src/metrics/metrics'
import { MAX_PENDING_WORKERS, MinuteAggregator, type MetricsStore } from '../../src/metrics/metrics-recorder'

/** A worker of one owner generation (generation.ts). */
const worker = (name: string) => ({ name, ownerId: 'o-test' })

describe('metrics aggregator with many tenants', () => {
  it('holds at most MAX_PENDING_WORKERS workers: the oldest is flushed early, nothing is lost', async () => {
    const added: string[] = []
    const store: MetricsStore = {
      getByName: (name) => ({
        add: (_row: MinuteRow) => {
          added.push(name)
          return Promise.resolve()
        },
        read: () => Promise.resolve([]),
        readDays: () => Promise.resolve([]),
        forget: () => Promise.resolve(),
      }),
    }
    const now = Date.UTC(2026, 11, 1, 10, 0, 5)
    const background: Promise<unknown>[] = []
    const aggregator = new MinuteAggregator(store, () => now)
    const ctx = { waitUntil: (promise: Promise<unknown>) => void background.push(promise) }
    for (let i = 0; i < MAX_PENDING_WORKERS + 2; i++) aggregator.record(worker(`w-${i}`), 200, 1, ctx)
    await Promise.all(background)
    expect(added).toEqual(['w-0', 'w-1'])
    await aggregator.flush()
    expect(added).toHaveLength(MAX_PENDING_WORKERS + 2)
  })
})
