import { describe, expect, inject, it } from 'vitest'
import { uniqueName } from '../helpers'
import { bothBackends } from '../backends/namespace-double'

// Drizzle's D1 driver, bundled into a tenant Worker (test/setup/drizzle-worker.ts), against env.DB
// from inside that Worker: on both backends, the D1 API is what query builders expect.

const BACKENDS = bothBackends(3)

interface Entry {
  id: number
  author: string
  message: string
  likes: number
}

describe.each(BACKENDS)('Drizzle (drizzle-orm/d1) on env.DB, $kind', ({ call }) => {
  it('inserts with returning, updates, selects and batches', async () => {
    const name = uniqueName('drizzle')
    const script = inject('drizzleWorker')
    const res = await call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script, storage: { sql: true } }),
    })
    expect(res.status).toBe(201)
    const run = async <T>(route: string, body?: unknown): Promise<T> => {
      const init = body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }
      return (await call(`/user-workers/${name}/${route}`, init)).json<T>()
    }

    expect(await run('sign', { author: 'ada', message: 'hello' })).toEqual({
      id: 1,
      author: 'ada',
      message: 'hello',
      likes: 0,
    })
    await run('sign', { author: 'grace', message: 'hi' })
    expect(await run('like', { id: 2 })).toEqual({ id: 2, author: 'grace', message: 'hi', likes: 1 })
    expect(await run('batch', {})).toEqual([{ count: 4 }])
    const all = await run<Entry[]>('')
    expect(all.map((entry) => [entry.id, entry.author, entry.message, entry.likes])).toEqual([
      [1, 'ada', 'hello', 0],
      [2, 'grace', 'hi', 1],
      [3, 'batch', 'one', 0],
      [4, 'batch', 'two', 0],
    ])
  })
})
