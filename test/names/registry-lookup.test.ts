import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { WorkerRecord } from '../../src/core/model'
import { Registry } from '../../src/names/registry'

/** The test KV, counting its get calls; `hold` makes the next get wait until released. */
function countingKv() {
  let gets = 0
  let held: Promise<void> | undefined
  const kv = new Proxy(env.WORKER_MAPPINGS, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown
      if (property !== 'get') {
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
      }
      return async (...args: Parameters<KVNamespace['get']>) => {
        gets += 1
        const wait = held
        const result = await (target.get as (...a: unknown[]) => Promise<unknown>)(...args)
        if (wait) await wait
        return result
      }
    },
  })
  return {
    kv,
    gets: () => gets,
    hold: (): (() => void) => {
      let release!: () => void
      held = new Promise((resolve) => (release = resolve))
      return () => {
        held = undefined
        release()
      }
    },
  }
}

function background() {
  const pending: Promise<unknown>[] = []
  return { waitUntil: (promise: Promise<unknown>) => void pending.push(promise), settle: () => Promise.all(pending) }
}

const record = (name: string, workerId: string): WorkerRecord => {
  const at = new Date().toISOString()
  return {
    name,
    workerId,
    ownerId: 'o',
    backend: 'dynamic-workers',
    createdAt: at,
    updatedAt: at,
    deployments: [],
    retired: [],
  }
}

const TTL = 5_000

describe('the mapping cache (Registry.lookup)', () => {
  it('refreshes a record in its last second in the background: a steadily requested name never waits on KV', async () => {
    let now = 0
    const { kv, gets } = countingKv()
    const name = `ahead-${Date.now().toString(36)}`
    await env.WORKER_MAPPINGS.put(`workers/${name}`, JSON.stringify(record(name, 'w-1')))
    const registry = new Registry(kv, TTL, () => now)
    const ctx = background()
    expect((await registry.lookup(name, ctx))?.workerId).toBe('w-1')
    expect(gets()).toBe(1)
    await env.WORKER_MAPPINGS.put(`workers/${name}`, JSON.stringify(record(name, 'w-2')))
    now = TTL - 500
    // Still the cached record (never older than the TTL), with a re-read started in the background.
    expect((await registry.lookup(name, ctx))?.workerId).toBe('w-1')
    expect(gets()).toBe(2)
    expect((await registry.lookup(name, ctx))?.workerId).toBe('w-1')
    expect(gets()).toBe(2) // one refresh at a time
    await ctx.settle()
    now = TTL + 1_000
    expect((await registry.lookup(name, ctx))?.workerId).toBe('w-2')
    expect(gets()).toBe(2)
  })

  it('without a background, or before the last second, reads as before', async () => {
    let now = 0
    const { kv, gets } = countingKv()
    const registry = new Registry(kv, TTL, () => now)
    const name = `plain-${Date.now().toString(36)}`
    await registry.lookup(name)
    now = TTL - 500
    await registry.lookup(name)
    now = 1_000
    await registry.lookup(name, background())
    expect(gets()).toBe(1)
    now = TTL + 1
    await registry.lookup(name)
    expect(gets()).toBe(2)
  })

  it('a refresh that ends after this isolate’s own write does not bring back the older record', async () => {
    let now = 0
    const { kv, hold } = countingKv()
    const name = `race-${Date.now().toString(36)}`
    await env.WORKER_MAPPINGS.put(`workers/${name}`, JSON.stringify(record(name, 'w-old')))
    const registry = new Registry(kv, TTL, () => now)
    const ctx = background()
    await registry.lookup(name, ctx)
    now = TTL - 500
    const release = hold()
    await registry.lookup(name, ctx)
    await registry.put(record(name, 'w-new'))
    release()
    await ctx.settle()
    expect((await registry.lookup(name))?.workerId).toBe('w-new')
  })
})
