import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import app from '../../src/index'
import { platformFor } from '../../src/platform/index'
import { usageCounter } from '../../src/metrics/usage-counts'
import { namespaceEnv } from '../backends/namespace-double'
import { ORIGIN, uniqueName } from '../helpers'
import { STORAGE_SCRIPT } from '../storage/tenant-scripts'

// Usage a bill can be made from (metrics/usage-counts.ts, docs/metrics.md#usage): what a worker did
// with env.KV and env.DB, counted in memory where it happened and flushed to its metrics object,
// shows in the export exactly, on both backends.

const ADMIN = 'admin-token-for-usage-counts-0123456789abcdef'
const BACKENDS = [
  { kind: 'dynamic-workers', env: { ...env, ADMIN_TOKEN: ADMIN } as Env },
  { kind: 'dispatch-namespace', env: { ...namespaceEnv, ADMIN_TOKEN: ADMIN } as Env },
] as const

const utf8 = (text: string) => new TextEncoder().encode(text).byteLength

describe.each(BACKENDS)('usage of KV and SQL ($kind)', ({ env: environment }) => {
  const call = async (path: string, init?: RequestInit) => {
    const ctx = createExecutionContext()
    const res = await app.fetch(new Request(new URL(path, ORIGIN), { redirect: 'manual', ...init }), environment, ctx)
    await waitOnExecutionContext(ctx)
    return res
  }
  const run = async (name: string, route: string, body: unknown) => {
    const res = await call(`/user-workers/${name}/${route}`, { method: 'POST', body: JSON.stringify(body) })
    const answer = await res.json<Record<string, unknown>>()
    expect(answer).not.toHaveProperty('error')
    return answer
  }

  it('exports the operations and bytes that were done, and the requests that were served', async () => {
    const name = uniqueName('usage-st')
    const deployed = await call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: STORAGE_SCRIPT, storage: { kv: true, sql: true } }),
    })
    expect(deployed.status).toBe(201)
    const { token } = await deployed.json<{ token: string }>()

    // 5 puts of a 100-byte value under keys k0…k4: key + value bytes each.
    const value = 'x'.repeat(100)
    await run(name, 'kv-many', { count: 5, prefix: 'k', value })
    // A read of one of them: its value's bytes. A miss reads nothing.
    expect(await run(name, 'kv-get', { key: 'k0' })).toEqual({ value })
    expect(await run(name, 'kv-get', { key: 'missing' })).toEqual({ value: null })
    // Read as a stream: its bytes as it is read to the end.
    expect(await run(name, 'kv-get', { key: 'k1', options: 'stream' })).toEqual({ value })
    // SQL: the statements' text and bound values, and the rows returned.
    const create = 'CREATE TABLE t (v TEXT)'
    const insert = 'INSERT INTO t VALUES (?)'
    const select = 'SELECT v FROM t'
    await run(name, 'sql-run', { sql: create })
    await run(name, 'sql-run', { sql: insert, params: ['héllo'] })
    expect(await run(name, 'sql-all', { sql: select })).toMatchObject({ results: [{ v: 'héllo' }] })
    await run(name, 'sql-batch', { statements: [{ sql: select }, { sql: select }] })

    // Requests from this isolate's metrics; KV and SQL use from where it was counted (this test's isolate).
    await Promise.all([platformFor(environment).metrics.flush(), usageCounter.flush()])
    const res = await call(`/api/workers/${name}/usage`, { headers: { Authorization: `Bearer ${token}` } })
    const { usage } = await res.json<{ usage: Record<string, unknown>[] }>()
    expect(usage).toEqual([
      expect.objectContaining({
        worker: name,
        requests: 8,
        errors: 0,
        kvOps: 8,
        kvBytes: 5 * (2 + 100) + 2 * 100,
        sqlOps: 5,
        sqlBytes: utf8(create) + utf8(insert) + utf8('héllo') + 3 * (utf8(select) + utf8('héllo')),
      }),
    ])
    const csv = await (
      await call(`/api/workers/${name}/usage?format=csv`, { headers: { Authorization: `Bearer ${token}` } })
    ).text()
    expect(csv.split('\n')[0]).toBe(
      'date,account,worker,requests,errors,p50_ms,p99_ms,cpu_ms,kv_ops,kv_bytes,sql_ops,sql_bytes',
    )
    // The worker page shows the same figures for today.
    const page = await (await call(`/workers/${name}`)).text()
    expect(page).toContain(
      'Today (UTC): 8 requests, 0 ms CPU, 8 KV operations (710 bytes), 5 SQL statements (116 bytes).',
    )
    expect(csv.split('\n')[1]).toMatch(new RegExp(`,${name},8,0,.*,8,${5 * 102 + 200},5,\\d+$`))
  })
})
