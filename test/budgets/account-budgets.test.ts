import { createExecutionContext, runDurableObjectAlarm, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expectBudgetHeld } from './held-budget'
import { describe, expect, it } from 'vitest'
import app from '../../src/index'
import type { ConfigVars } from '../../src/core/config'
import type { AuditEvent } from '../../src/audit/audit-events'
import { ORIGIN, uniqueName } from '../helpers'

// Daily request budgets per account (budgets/account-allowances.ts, docs/operators.md#budgets):
// leased per isolate from the account's object, so all its workers on all isolates together never
// serve more than the account's budget.

const ADMIN = 'admin-token-for-account-budgets-0123456789abcdef'
const SCRIPT = 'export default { fetch: () => new Response("ok") }'

/** One platform isolate (one env object is one Platform, with its own allowances). */
function isolate(overrides: Partial<Env> & ConfigVars = {}) {
  const environment = { ...env, ADMIN_TOKEN: ADMIN, ...overrides }
  return async (path: string, init?: RequestInit) => {
    const ctx = createExecutionContext()
    const res = await app.fetch(new Request(new URL(path, ORIGIN), { redirect: 'manual', ...init }), environment, ctx)
    await waitOnExecutionContext(ctx)
    return res
  }
}

const json = (body: unknown, token?: string): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})

/** A new account and its API token. */
async function signUp(call = isolate()): Promise<{ accountId: string; apiToken: string }> {
  const res = await call('/api/accounts', json({ name: 'Budgeted' }))
  expect(res.status).toBe(201)
  const { account, token } = await res.json<{ account: { accountId: string }; token: { value: string } }>()
  return { accountId: account.accountId, apiToken: token.value }
}

/** Deploys a worker with `token` (an account's API token claims it for the account). */
async function deploy(call: ReturnType<typeof isolate>, name: string, token?: string): Promise<string> {
  const res = await call(`/api/workers/${name}`, {
    method: 'PUT',
    body: SCRIPT,
    ...(token ? { headers: { Authorization: `Bearer ${token}` } } : {}),
  })
  expect(res.status).toBe(201)
  return (await res.json<{ token?: string }>()).token ?? ''
}

async function statuses(call: ReturnType<typeof isolate>, names: string[]): Promise<number[]> {
  const seen = []
  for (const name of names) seen.push((await call(`/user-workers/${name}/`)).status)
  return seen
}

describe('daily request budgets per account', () => {
  it('serves at most the account’s budget across two of its workers under concurrent load from several isolates, then 429 until midnight UTC', async () => {
    const isolates = [isolate(), isolate(), isolate(), isolate()]
    const [first] = isolates
    const { accountId, apiToken } = await signUp(first)
    const names = [uniqueName('acct-budget'), uniqueName('acct-budget')]
    for (const name of names) await deploy(first!, name, apiToken)
    const set = await first!(`/api/admin/accounts/${accountId}/budget`, json({ requestsPerDay: 100 }, ADMIN))
    expect(set.status).toBe(200)
    expect(await set.json()).toEqual({ accountId, budget: { requestsPerDay: 100 } })

    const responses = await Promise.all(
      isolates.flatMap((call) =>
        names.flatMap((name) => Array.from({ length: 30 }, () => call(`/user-workers/${name}/`))),
      ),
    )
    expect(responses).toHaveLength(240)
    const { refusalPage: page } = await expectBudgetHeld(responses, 100, isolates.length)
    expect(page).toContain(`The account ${accountId} has served its budget of 100 requests today (UTC)`)
    // Each worker served some: the budget is the account's, not the first worker's.
    for (const name of names) {
      expect(responses.some((res, index) => res.status === 200 && index % 60 < 30 === (name === names[0]))).toBe(true)
    }
  })

  it('takes the platform’s default unless an admin set the account’s own (0: none; null: the default again), beside each worker’s own', async () => {
    const defaults = { BUDGET_ACCOUNT_REQUESTS_PER_DAY: '3' }
    const call = isolate(defaults)
    const { accountId, apiToken } = await signUp(call)
    const [a, b] = [uniqueName('acct-default'), uniqueName('acct-default')]
    await deploy(call, a, apiToken)
    await deploy(call, b, apiToken)
    // The worker's own budget refuses a's second request: the account's day is not spent by it.
    await call(`/api/admin/workers/${a}/budget`, json({ requestsPerDay: 1 }, ADMIN))
    const fresh = isolate(defaults)
    expect(await statuses(fresh, [a, a, b, b, b, a])).toEqual([200, 429, 200, 200, 429, 429])
    expect(await (await fresh(`/user-workers/${b}/`)).text()).toContain('has served its budget of 3 requests today')

    await call(`/api/admin/accounts/${accountId}/budget`, json({ requestsPerDay: 0 }, ADMIN))
    expect(await statuses(isolate(defaults), [b, b, b])).toEqual([200, 200, 200])
    await call(`/api/admin/accounts/${accountId}/budget`, json({ requestsPerDay: null }, ADMIN))
    expect(await statuses(isolate(defaults), [b])).toEqual([429])

    // The account's log names each change, the operator as the actor.
    await runDurableObjectAlarm(env.ACCOUNTS.getByName(accountId))
    const trail = await call(`/api/admin/audit?account=${accountId}&action=budget`, {
      headers: { Authorization: `Bearer ${ADMIN}` },
    })
    const { events } = await trail.json<{ events: AuditEvent[] }>()
    expect(events.map((event) => [event.actor, event.detail])).toEqual([
      ['admin', 'Daily request budget of the account reset to the platform’s default.'],
      ['admin', 'Daily request budget of the account set to 0.'],
    ])
  })

  it('is set by the operator only, for an account that exists, with a whole number or null', async () => {
    const call = isolate()
    const { accountId, apiToken } = await signUp(call)
    const path = `/api/admin/accounts/${accountId}/budget`
    expect((await call(path, json({ requestsPerDay: 5 }))).status).toBe(401)
    expect((await call(path, json({ requestsPerDay: 5 }, apiToken))).status).toBe(403)
    const unknown = await call('/api/admin/accounts/acc_0000000000000000/budget', json({ requestsPerDay: 5 }, ADMIN))
    expect(unknown.status).toBe(404)
    for (const body of [{}, { requestsPerDay: '5' }, { requestsPerDay: -1 }, { requestsPerDay: 1.5 }, 'not json']) {
      expect((await call(path, json(body, ADMIN))).status).toBe(400)
    }
    expect((await call(path, json({ requestsPerDay: 5 }, ADMIN))).status).toBe(200)
  })

  it('applies to a worker moved into the account (the move writes the account into its record and KV)', async () => {
    const call = isolate()
    const { accountId, apiToken } = await signUp(call)
    await call(`/api/admin/accounts/${accountId}/budget`, json({ requestsPerDay: 2 }, ADMIN))
    const name = uniqueName('acct-moved')
    const deployToken = await deploy(call, name)
    expect(await statuses(isolate(), [name, name, name])).toEqual([200, 200, 200])
    const moved = await call(`/api/workers/${name}/account`, json({ token: deployToken }, apiToken))
    expect(moved.status).toBe(200)
    // A fresh isolate reads the record from KV: it names the account now.
    expect(await statuses(isolate(), [name, name, name])).toEqual([200, 200, 429])
  })
})

describe('the admin page’s account budget', () => {
  it('shows the account’s budget and what was leased today, and sets it from a form (empty: the default)', async () => {
    const call = isolate({ BUDGET_ACCOUNT_REQUESTS_PER_DAY: '7' })
    const { accountId, apiToken } = await signUp(call)
    const name = uniqueName('acct-form')
    await deploy(call, name, apiToken)
    await call(`/user-workers/${name}/`)
    const signedIn = await call('/admin/signin', { method: 'POST', body: new URLSearchParams({ token: ADMIN }) })
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!
    const form = (fields: Record<string, string>) =>
      call(`/admin/accounts/${accountId}/budget`, {
        method: 'POST',
        headers: { Cookie: cookie },
        body: new URLSearchParams(fields),
      })
    const before = await (await call(`/admin/accounts/${accountId}`, { headers: { Cookie: cookie } })).text()
    expect(before).toContain('7 requests a day (UTC) across its workers (the platform’s default); leased today: 1')

    const set = await form({ requestsPerDay: '50' })
    expect(set.status).toBe(303)
    expect(set.headers.get('location')).toBe(`/admin/accounts/${accountId}?done=budget`)
    const after = await (await call(set.headers.get('location')!, { headers: { Cookie: cookie } })).text()
    expect(after).toContain('The account’s budget is set.')
    expect(after).toContain('50 requests a day (UTC) across its workers (its own)')

    const refused = await form({ requestsPerDay: 'lots' })
    expect(refused.status).toBe(400)
    const text = await refused.text()
    expect(text).toContain('The budget must be a whole number')
    expect(text).toContain('value="lots"')
    expect((await form({})).status).toBe(303)
    const reset = await (await call(`/admin/accounts/${accountId}`, { headers: { Cookie: cookie } })).text()
    expect(reset).toContain('7 requests a day (UTC) across its workers (the platform’s default)')
    // Signed out, nothing changes.
    const anonymous = await call(`/admin/accounts/${accountId}/budget`, {
      method: 'POST',
      body: new URLSearchParams({ requestsPerDay: '1' }),
    })
    expect(anonymous.status).toBe(401)
  })
})
