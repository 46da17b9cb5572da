import { expectBudgetHeld } from './held-budget'
import { describe, expect, it } from 'vitest'
import type { ConfigVars } from '../../src/core/config'
import { platformFor } from '../../src/platform/index'
import { uniqueName, platformIsolate } from '../helpers'

// Daily request budgets (budgets/allowances.ts, docs/operators.md#budgets): leased per isolate from
// the worker's name's object, so all isolates together never serve more than the budget.

const ADMIN = 'admin-token-for-budgets-0123456789abcdef0123'

/** One platform isolate (one env object is one Platform, with its own allowances and metrics). */
function isolate(overrides: Partial<Env> & ConfigVars = {}) {
  const { call, environment } = platformIsolate({ ADMIN_TOKEN: ADMIN, ...overrides })
  return { call, flush: () => platformFor(environment).metrics.flush() }
}

describe('daily request budgets', () => {
  it('serves at most the budget under concurrent load from several isolates, then 429 until midnight UTC; the usage export equals what was served', async () => {
    const isolates = [isolate(), isolate(), isolate(), isolate()]
    const [first] = isolates
    const name = uniqueName('budget')
    const deployed = await first!.call(`/api/workers/${name}`, {
      method: 'PUT',
      body: 'export default { fetch: () => new Response("ok") }',
    })
    const { token } = await deployed.json<{ token: string }>()
    const set = await first!.call(`/api/admin/workers/${name}/budget`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ requestsPerDay: 100 }),
    })
    expect(await set.json()).toEqual({ name, budget: { requestsPerDay: 100 } })

    // The record reaches the other isolates through KV (fresh isolates: nothing cached).
    const responses = await Promise.all(
      isolates.flatMap(({ call }) => Array.from({ length: 60 }, () => call(`/user-workers/${name}/`))),
    )
    expect(responses).toHaveLength(240)
    const { served, refusalPage } = await expectBudgetHeld(responses, 100, isolates.length)
    expect(refusalPage).toContain('has served its budget of 100 requests today (UTC)')

    for (const { flush } of isolates) await flush()
    const usage = await first!.call(`/api/workers/${name}/usage`, { headers: { Authorization: `Bearer ${token}` } })
    expect((await usage.json<{ usage: { requests: number }[] }>()).usage).toEqual([
      expect.objectContaining({ requests: served, errors: 0 }),
    ])
    const page = await (await first!.call(`/workers/${name}`)).text()
    expect(page).toContain(`Budget: 100 requests a day (UTC); served today: ${served}`)
  })

  it("takes the platform's default unless an admin set the worker's own, and only from the admin", async () => {
    const limited = isolate({ BUDGET_REQUESTS_PER_DAY: '3' })
    const name = uniqueName('budget-default')
    await limited.call(`/api/workers/${name}`, {
      method: 'PUT',
      body: 'export default { fetch: () => new Response("ok") }',
    })
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await limited.call(`/user-workers/${name}/`)).status)
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    const owner = await limited.call(`/api/admin/workers/${name}/budget`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ requestsPerDay: 0 }),
    })
    expect(owner.status).toBe(401)
    // 0: no limit for this worker, whatever the default.
    const unlimited = isolate({ BUDGET_REQUESTS_PER_DAY: '3' })
    await unlimited.call(`/api/admin/workers/${name}/budget`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ requestsPerDay: 0 }),
    })
    expect((await isolate({ BUDGET_REQUESTS_PER_DAY: '3' }).call(`/user-workers/${name}/`)).status).toBe(200)
  })
})
