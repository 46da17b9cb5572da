import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import app, { LogTail } from '../../src/index'
import type { ConfigVars } from '../../src/core/config'
import { platformFor } from '../../src/platform/index'
import { usageCounter } from '../../src/metrics/usage-counts'
import { ownerIdOf, uniqueName, platformIsolate } from '../helpers'

// CPU budgets (budgets/allowances.ts checkCpu, docs/operators.md#budgets): CPU is known only after
// the fact, from tails; once today's reaches the budget, every isolate refuses after its next check.
// Local workerd reports cpuTime 0, so the tails' reports are given here as Cloudflare sends them.

const ADMIN = 'admin-token-for-cpu-budgets-0123456789abcdef'

/** One platform isolate (one env object is one Platform, with its own allowances). */
function isolate(overrides: Partial<Env> & ConfigVars = {}) {
  const { call, environment } = platformIsolate({ ADMIN_TOKEN: ADMIN, ...overrides })
  // The tails' CPU is in this isolate's usage counter (metrics/usage-counts.ts), flushed with the metrics.
  return { call, flush: () => Promise.all([platformFor(environment).metrics.flush(), usageCounter.flush()]) }
}

const admin = { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' }

/** What a tail receives for one invocation that used `cpuTime` ms (the fields the platform reads). */
function traced(cpuTime: number, scriptTags: string[] = []): TraceItem {
  return { cpuTime, wallTime: cpuTime, scriptTags, logs: [], exceptions: [], event: null } as unknown as TraceItem
}

/** The dynamic-workers tail (the LogTail entrypoint with a worker's props), as the Worker Loader calls it. */
async function loaderTail(props: Record<string, unknown>, events: TraceItem[]): Promise<void> {
  const ctx = Object.assign(createExecutionContext(), { props })
  await new LogTail(ctx, env).tail(events)
  await waitOnExecutionContext(ctx)
}

describe('daily CPU budgets', () => {
  it('refuses every isolate once the CPU its tails reported reaches the budget, 429 until midnight UTC; the export and the page show it', async () => {
    const first = isolate()
    const name = uniqueName('cpu-budget')
    const deployed = await first.call(`/api/workers/${name}`, {
      method: 'PUT',
      body: 'export default { fetch: () => new Response("ok") }',
    })
    const { token, workerId } = await deployed.json<{ token: string; workerId: string }>()
    const set = await first.call(`/api/admin/workers/${name}/budget`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ cpuMsPerDay: 50 }),
    })
    expect(await set.json()).toEqual({ name, budget: { cpuMsPerDay: 50 } })

    // Nothing reported yet: concurrent requests through several isolates are all served.
    const serving = [isolate(), isolate(), isolate()]
    const before = await Promise.all(
      serving.flatMap(({ call }) =>
        Array.from({ length: 20 }, () => call(`/user-workers/${name}/`).then((res) => res.status)),
      ),
    )
    expect(before.every((status) => status === 200)).toBe(true)

    // 60 ms reported, by both kinds of tail: the Worker Loader's and the dispatch namespace's.
    const ownerId = await ownerIdOf(name)
    await loaderTail({ name, workerId, ownerId, logs: false, cpu: true }, [traced(20), traced(15)])
    const tail = createExecutionContext()
    await app.tail([traced(25, [`name:${name}`, `owner:${ownerId}`])], env, tail)
    await waitOnExecutionContext(tail)
    for (const { flush } of [first, ...serving]) await flush()

    const isolates = [isolate(), isolate(), isolate(), isolate()]
    const after = await Promise.all(
      isolates.flatMap(({ call }) => Array.from({ length: 20 }, () => call(`/user-workers/${name}/`))),
    )
    expect(after.map((res) => res.status)).toEqual(after.map(() => 429))
    const untilMidnight = Math.ceil((86_400_000 - (Date.now() % 86_400_000)) / 1000)
    expect(Math.abs(Number(after[0]!.headers.get('retry-after')) - untilMidnight)).toBeLessThan(60)
    expect(await after[0]!.text()).toContain('has used its budget of 50 CPU milliseconds today (UTC)')

    const usage = await first.call(`/api/workers/${name}/usage`, { headers: { Authorization: `Bearer ${token}` } })
    expect((await usage.json<{ usage: unknown[] }>()).usage).toEqual([
      expect.objectContaining({ worker: name, cpuMs: 60, requests: 60 }),
    ])
    const page = await (await first.call(`/workers/${name}`)).text()
    expect(page).toContain('CPU budget: 50 ms a day (UTC); used today: 60 ms')

    // Keeping the request budget, raising the CPU budget: served again.
    const raised = await first.call(`/api/admin/workers/${name}/budget`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ cpuMsPerDay: 1000, requestsPerDay: 500 }),
    })
    expect(await raised.json()).toEqual({ name, budget: { cpuMsPerDay: 1000, requestsPerDay: 500 } })
    expect((await isolate().call(`/user-workers/${name}/`)).status).toBe(200)
  })

  it("takes the platform's default unless an admin set the worker's own; the old body and null still work", async () => {
    const limited = isolate({ BUDGET_CPU_MS_PER_DAY: '10' })
    const name = uniqueName('cpu-default')
    const deployed = await limited.call(`/api/workers/${name}`, {
      method: 'PUT',
      body: 'export default { fetch: () => new Response("ok") }',
    })
    const { workerId } = await deployed.json<{ workerId: string }>()
    await loaderTail({ name, workerId, ownerId: await ownerIdOf(name), cpu: true, logs: false }, [traced(11)])
    await limited.flush()
    expect((await isolate({ BUDGET_CPU_MS_PER_DAY: '10' }).call(`/user-workers/${name}/`)).status).toBe(429)
    expect((await isolate().call(`/user-workers/${name}/`)).status).toBe(200)

    const post = (body: unknown) =>
      limited.call(`/api/admin/workers/${name}/budget`, { method: 'POST', headers: admin, body: JSON.stringify(body) })
    expect(await (await post({ cpuMsPerDay: 0 })).json()).toEqual({ name, budget: { cpuMsPerDay: 0 } })
    expect((await isolate({ BUDGET_CPU_MS_PER_DAY: '10' }).call(`/user-workers/${name}/`)).status).toBe(200)
    expect(await (await post({ requestsPerDay: 7 })).json()).toEqual({
      name,
      budget: { cpuMsPerDay: 0, requestsPerDay: 7 },
    })
    expect(await (await post({ cpuMsPerDay: null })).json()).toEqual({ name, budget: { requestsPerDay: 7 } })
    expect(await (await post({ requestsPerDay: null })).json()).toEqual({ name, budget: null })
    const empty = await post({})
    expect(empty.status).toBe(400)
    expect((await post({ cpuMsPerDay: -1 })).status).toBe(400)
  })
})
