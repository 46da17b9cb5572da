import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { WorkerRecord } from '../../src/core/model'
import { Registry } from '../../src/names/registry'

/** The test KV, counting its list calls. */
function countingKv(): { kv: KVNamespace; lists: () => number } {
  let lists = 0
  const kv = new Proxy(env.WORKER_MAPPINGS, {
    get(target, property) {
      if (property === 'list') lists += 1
      const value = Reflect.get(target, property) as unknown
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
  return { kv, lists: () => lists }
}

const record = (name: string): WorkerRecord =>
  ({
    name,
    workerId: `w-${name}`,
    ownerId: 'o',
    updatedAt: new Date().toISOString(),
    deployments: [],
  }) as unknown as WorkerRecord

describe('the worker list (Registry.list)', () => {
  it('serves the first page from memory within the TTL, and re-reads once it is over', async () => {
    let now = 1_000
    const { kv, lists } = countingKv()
    const registry = new Registry(kv, 5_000, () => now)
    const first = await registry.list({ limit: 50 })
    expect(await registry.list({ limit: 50 })).toBe(first)
    expect(lists()).toBe(1)
    now += 5_001
    await registry.list({ limit: 50 })
    expect(lists()).toBe(2)
  })

  it('shows this isolate’s own writes at once', async () => {
    const { kv, lists } = countingKv()
    const registry = new Registry(kv, 60_000)
    await registry.list({ limit: 1000 })
    const name = `list-${Date.now().toString(36)}`
    await registry.put(record(name))
    expect((await registry.list({ limit: 1000 })).workers.map((worker) => worker.name)).toContain(name)
    await registry.delete(name)
    expect((await registry.list({ limit: 1000 })).workers.map((worker) => worker.name)).not.toContain(name)
    expect(lists()).toBe(3)
  })

  it('never caches later pages, nor anything with a TTL of 0 (the name’s object)', async () => {
    const { kv, lists } = countingKv()
    const registry = new Registry(kv, 0)
    await registry.list({ limit: 1 })
    await registry.list({ limit: 1 })
    const cached = new Registry(kv, 60_000)
    const page = await cached.list({ limit: 1 })
    if (page.cursor) {
      await cached.list({ limit: 1, cursor: page.cursor })
      await cached.list({ limit: 1, cursor: page.cursor })
      expect(lists()).toBe(5)
    } else {
      expect(lists()).toBe(3)
    }
  })
})
