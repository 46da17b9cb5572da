import { describe, expect, it } from 'vitest'
import { followLines, type FollowEvent } from '../../src/logs/log-follow'
import type { StoredLogLine } from '../../src/core/model'

const line = (id: number): StoredLogLine => ({ id, at: '2026-11-30T00:00:00.000Z', level: 'log', message: `#${id}` })

/** A clock that moves only when the fake store is read, so the test never depends on real time. */
function fakeStore(batches: (StoredLogLine[] | null)[], stepMs = 10) {
  let time = 0
  const reads: number[] = []
  return {
    now: () => time,
    reads,
    read: (after: number) => {
      reads.push(after)
      time += stepMs
      return Promise.resolve(batches.length > 0 ? batches.shift()! : [])
    },
  }
}

async function collect(events: AsyncGenerator<FollowEvent>): Promise<string[]> {
  const seen: string[] = []
  for await (const event of events) seen.push(event.kind === 'line' ? event.line.message : 'heartbeat')
  return seen
}

const timing = { pollMs: 0, heartbeatMs: 25, maxMs: 100 }

describe('followLines', () => {
  it('yields the first lines, then each new one once, reading after the last one seen', async () => {
    // The store may hand back a line the follower has (a reconnect racing an append): skipped.
    const store = fakeStore([[line(3), line(4)], [line(4), line(5)], null])
    const seen = await collect(
      followLines(store.read, [line(2), line(3)], 1, new AbortController().signal, timing, store.now),
    )
    expect(seen).toEqual(['#2', '#3', '#4', '#5'])
    expect(store.reads).toEqual([3, 4, 5])
  })

  it('sends heartbeats while quiet and ends when its time is up', async () => {
    const store = fakeStore([])
    const seen = await collect(followLines(store.read, [], 0, new AbortController().signal, timing, store.now))
    expect(seen.length).toBeGreaterThanOrEqual(3)
    expect(new Set(seen)).toEqual(new Set(['heartbeat']))
    // maxMs / stepMs reads at most: it does not poll forever.
    expect(store.reads.length).toBeLessThanOrEqual(10)
  })

  it('stops reading once the client has gone', async () => {
    const store = fakeStore([[line(1)]])
    const client = new AbortController()
    const events = followLines(store.read, [], 0, client.signal, { ...timing, maxMs: 1_000_000 }, store.now)
    expect((await events.next()).value).toEqual({ kind: 'line', line: line(1) })
    client.abort()
    expect((await events.next()).done).toBe(true)
    expect(store.reads).toHaveLength(1)
  })
})
