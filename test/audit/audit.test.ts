import { describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { runDurableObjectAlarm } from 'cloudflare:test'
import type { AuditEvent } from '../../src/audit/audit-events'
import { TRAIL_OBJECT } from '../../src/audit/trail'
import { deployNew, platform, platformWith, uniqueName } from '../helpers'

// The audit log (docs/audit.md): every change to a worker, who made it and from where, in its
// name's object; the operator's copy of every log; a deleted worker leaves only its tombstone.

const ADMIN = 'admin-token-for-the-audit-log-0123456789abcdef'
const SECRET_VALUE = 'never-in-the-log-5c2f0a'
const json = (token: string, ip: string) => ({
  Authorization: `Bearer ${token}`,
  'Content-Type': 'application/json',
  'CF-Connecting-IP': ip,
})
const asAdmin = (path: string, init: RequestInit = {}) =>
  platformWith({ ADMIN_TOKEN: ADMIN }, path, {
    ...init,
    headers: { ...json(ADMIN, '198.51.100.9'), ...init.headers },
  })

async function auditOf(name: string, token: string, query = ''): Promise<AuditEvent[]> {
  const res = await platformWith({ ADMIN_TOKEN: ADMIN }, `/api/workers/${name}/audit${query}`, {
    headers: { Authorization: `Bearer ${token}` },
  })
  expect(res.status).toBe(200)
  return (await res.json<{ events: AuditEvent[] }>()).events
}

/** The operator's view of one worker, after its name's alarm copied what waited. */
async function trailOf(name: string): Promise<AuditEvent[]> {
  await runDurableObjectAlarm(env.NAME_CLAIMS.getByName(name))
  const res = await asAdmin(`/api/admin/audit?name=${name}`)
  expect(res.status).toBe(200)
  return (await res.json<{ events: AuditEvent[] }>()).events
}

describe('the audit log', () => {
  it('records each change with its actor and client IP, names secrets but never their values, and is the owner’s (or an admin’s) to read', async () => {
    const name = uniqueName('audit')
    const first = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/javascript', 'CF-Connecting-IP': '203.0.113.7' },
      body: 'export default { fetch: () => new Response("v1") }',
    })
    expect(first.status).toBe(201)
    const { token, workerId: v1 } = await first.json<{ token: string; workerId: string }>()
    const second = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      headers: json(token, '203.0.113.8'),
      body: JSON.stringify({
        script: 'export default { fetch: () => new Response("v2") }',
        secrets: { API_KEY: SECRET_VALUE },
        vars: { MODE: 'live' },
      }),
    })
    expect(second.status).toBe(200)
    // A secret given a new value under the same name: the log says which, never the value.
    const rotated = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      headers: json(token, '203.0.113.8'),
      body: JSON.stringify({
        script: 'export default { fetch: () => new Response("v3") }',
        secrets: { API_KEY: `${SECRET_VALUE}-2` },
      }),
    })
    expect(rotated.status).toBe(200)
    const rollback = await platform(`/api/workers/${name}/rollback`, {
      method: 'POST',
      headers: json(token, '203.0.113.8'),
      body: JSON.stringify({ deployment: v1 }),
    })
    expect(rollback.status).toBe(200)
    expect(
      (await asAdmin(`/api/admin/workers/${name}/suspend`, { method: 'POST', body: '{"reason":"spam"}' })).status,
    ).toBe(200)
    expect((await asAdmin(`/api/admin/workers/${name}/resume`, { method: 'POST' })).status).toBe(200)

    const events = await auditOf(name, token)
    expect(events.map((event) => [event.action, event.actor, event.ip])).toEqual([
      ['resume', 'admin', '198.51.100.9'],
      ['suspend', 'admin', '198.51.100.9'],
      ['rollback', 'deploy-token', '203.0.113.8'],
      ['deploy', 'deploy-token', '203.0.113.8'],
      ['deploy', 'deploy-token', '203.0.113.8'],
      ['deploy', 'deploy-token', '203.0.113.7'],
      ['claim', 'deploy-token', '203.0.113.7'],
    ])
    expect(events[3]!.detail).toContain('Secrets given a new value: API_KEY.')
    expect(events[3]!.detail).not.toContain('Secrets added')
    expect(events[4]!.detail).toContain('Secrets added: API_KEY')
    expect(events[4]!.detail).toContain('Vars added: MODE')
    expect(events[1]!.detail).toBe('Suspended: spam')
    expect(events.every((event) => event.name === name)).toBe(true)
    // Newest first, numbered: the ids count down.
    expect(events.map((event) => event.id)).toEqual([...events.map((event) => event.id)].sort((a, b) => b - a))
    expect(JSON.stringify(events)).not.toContain(SECRET_VALUE)

    // An admin reads it too; anyone else is refused; a page goes on before an id.
    expect(await auditOf(name, ADMIN)).toEqual(events)
    expect(await auditOf(name, token, `?before=${events[1]!.id}`)).toEqual(events.slice(2))
    const anonymous = await platform(`/api/workers/${name}/audit`)
    expect(anonymous.status).toBe(401)
    const other = await deployNew(uniqueName('audit-other'), 'export default { fetch: () => new Response("x") }')
    const stranger = await platform(`/api/workers/${name}/audit`, {
      headers: { Authorization: `Bearer ${other.token}` },
    })
    // Another worker's deploy token is no token of this one.
    expect(stranger.status).toBe(401)
    const badPage = await platform(`/api/workers/${name}/audit?before=soon`, {
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(badPage.status).toBe(400)
    expect(await badPage.text()).toContain('before')
  })

  it('exports CSV, quoted so that no field runs as a spreadsheet formula', async () => {
    const worker = await deployNew(uniqueName('audit-csv'), 'export default { fetch: () => new Response("x") }')
    expect(
      (
        await asAdmin(`/api/admin/workers/${worker.name}/suspend`, {
          method: 'POST',
          body: '{"reason":"=HYPERLINK(\\"x\\"), see #4"}',
        })
      ).status,
    ).toBe(200)
    const res = await platformWith({ ADMIN_TOKEN: ADMIN }, `/api/workers/${worker.name}/audit?format=csv`, {
      headers: { Authorization: `Bearer ${worker.token}` },
    })
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const lines = (await res.text()).trimEnd().split('\n')
    expect(lines[0]).toBe('id,at,worker,account,action,actor,ip,detail')
    expect(lines[1]).toMatch(
      new RegExp(
        `^\\d+,[^,]+,${worker.name},,suspend,admin,198\\.51\\.100\\.9,"Suspended: =HYPERLINK\\(""x""\\), see #4"$`,
      ),
    )
    expect(lines.slice(2).map((line) => line.split(',')[4])).toEqual(['deploy', 'claim'])
  })

  it('is copied to the operator’s trail once, and a deleted worker leaves only the tombstone saying who deleted it', async () => {
    const worker = await deployNew(uniqueName('audit-del'), 'export default { fetch: () => new Response("x") }')
    await platform(`/api/workers/${worker.name}/token`, { method: 'POST', headers: json(worker.token, '192.0.2.1') })
    const copied = await trailOf(worker.name)
    expect(copied.map((event) => event.action)).toEqual(['token-rotate', 'deploy', 'claim'])
    // Copied once: another alarm adds nothing.
    expect(await trailOf(worker.name)).toEqual(copied)

    const removed = await asAdmin(`/api/workers/${worker.name}`, {
      method: 'DELETE',
      headers: { 'CF-Connecting-IP': '192.0.2.55' },
    })
    expect(removed.status).toBe(200)
    const tombstone = await trailOf(worker.name)
    expect(tombstone.map((event) => [event.action, event.actor, event.ip, event.name])).toEqual([
      ['delete', 'admin', '192.0.2.55', worker.name],
    ])
    expect((await asAdmin(`/api/workers/${worker.name}/audit`)).status).toBe(404)

    // Claimed again: the new owner's log starts empty of the former one's history.
    const again = await deployNew(worker.name, 'export default { fetch: () => new Response("y") }')
    expect((await auditOf(again.name, again.token)).map((event) => event.action)).toEqual(['deploy', 'claim'])
    expect((await trailOf(worker.name)).map((event) => event.action)).toEqual(['deploy', 'claim', 'delete'])
  })

  it('is the operator’s alone platform-wide, filtered by action', async () => {
    const worker = await deployNew(uniqueName('audit-op'), 'export default { fetch: () => new Response("x") }')
    await asAdmin(`/api/admin/workers/${worker.name}/suspend`, { method: 'POST', body: '{"reason":"filter me"}' })
    await runDurableObjectAlarm(env.NAME_CLAIMS.getByName(worker.name))
    const suspended = await (await asAdmin('/api/admin/audit?action=suspend')).json<{ events: AuditEvent[] }>()
    expect(suspended.events.every((event) => event.action === 'suspend')).toBe(true)
    expect(
      suspended.events.some((event) => event.name === worker.name && event.detail === 'Suspended: filter me'),
    ).toBe(true)
    expect(
      (
        await platformWith({ ADMIN_TOKEN: ADMIN }, '/api/admin/audit', {
          headers: { Authorization: `Bearer ${worker.token}` },
        })
      ).status,
    ).toBe(403)
    expect((await asAdmin('/api/admin/audit?action=nap')).status).toBe(400)
  })

  it('names each budget an admin sets or resets', async () => {
    const worker = await deployNew(uniqueName('audit-budget'), 'export default { fetch: () => new Response("x") }')
    const budget = (body: object) =>
      asAdmin(`/api/admin/workers/${worker.name}/budget`, { method: 'POST', body: JSON.stringify(body) })
    expect((await budget({ requestsPerDay: 100, cpuMsPerDay: 5000 })).status).toBe(200)
    expect((await budget({ requestsPerDay: null })).status).toBe(200)
    const entries = (await auditOf(worker.name, worker.token)).filter((event) => event.action === 'budget')
    expect(entries.map((event) => event.detail)).toEqual([
      'Daily requests budget reset to the platform’s default.',
      'Daily CPU ms budget set to 5000.',
      'Daily requests budget set to 100.',
    ])
  })

  it('keeps entries AUDIT_DAYS_KEPT days: older ones leave the trail', async () => {
    const trail = env.AUDIT_TRAIL.getByName(TRAIL_OBJECT)
    const name = uniqueName('audit-old')
    const day = 24 * 60 * 60 * 1000
    const event = (id: number, ageDays: number): AuditEvent => ({
      id,
      at: new Date(Date.now() - ageDays * day).toISOString(),
      action: 'deploy',
      actor: 'deploy-token',
      detail: `${ageDays} days ago`,
      name,
    })
    await trail.receive(
      `name:${name}`,
      [
        { owner: 'o1', event: event(1, 400) },
        { owner: 'o1', event: event(2, 10) },
      ],
      new Date(Date.now() - 365 * day).toISOString(),
    )
    expect((await trail.list({ name })).map((entry) => entry.detail)).toEqual(['10 days ago'])
  })
})

describe('the audit log of an account', () => {
  it('records its creation, its tokens and the operator’s suspension, and the operator reads them by account', async () => {
    const created = await platform('/api/accounts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': '203.0.113.20' },
      body: JSON.stringify({ name: 'Audited Inc' }),
    })
    expect(created.status).toBe(201)
    const { account, token } = await created.json<{ account: { accountId: string }; token: { value: string } }>()
    const issued = await platform('/api/account/tokens', {
      method: 'POST',
      headers: json(token.value, '203.0.113.21'),
      body: JSON.stringify({ name: 'ci' }),
    })
    expect(issued.status).toBe(201)
    const second = await issued.json<{ id: string; value: string }>()
    const revoked = await platform(`/api/account/tokens/${second.id}`, {
      method: 'DELETE',
      headers: json(token.value, '203.0.113.22'),
    })
    expect(revoked.status).toBe(200)
    const suspended = await asAdmin(`/api/admin/accounts/${account.accountId}/suspend`, {
      method: 'POST',
      body: '{"reason":"unpaid"}',
    })
    expect(suspended.status).toBe(200)

    await runDurableObjectAlarm(env.ACCOUNTS.getByName(account.accountId))
    const res = await asAdmin(`/api/admin/audit?account=${account.accountId}`)
    const { events } = await res.json<{ events: AuditEvent[] }>()
    expect(events.map((event) => [event.action, event.actor, event.ip, event.accountId])).toEqual([
      ['account-suspend', 'admin', '198.51.100.9', account.accountId],
      ['api-token-revoke', `account:${account.accountId}`, '203.0.113.22', account.accountId],
      ['api-token-issue', `account:${account.accountId}`, '203.0.113.21', account.accountId],
      ['account-create', 'signup', '203.0.113.20', account.accountId],
    ])
    expect(events[2]!.detail).toBe(`Issued the API token “ci” (${second.id}).`)
    expect(JSON.stringify(events)).not.toContain(second.value)
    expect(JSON.stringify(events)).not.toContain(token.value)
  })
})

describe('the operator’s audit log page', () => {
  /** Signs in to the admin page and returns its session's Cookie header. */
  async function adminCookie(): Promise<string> {
    const res = await platformWith({ ADMIN_TOKEN: ADMIN }, '/admin/signin', {
      method: 'POST',
      body: new URLSearchParams({ token: ADMIN, next: '/admin/audit' }),
    })
    expect(res.status).toBe(303)
    return (res.headers.get('set-cookie') ?? '').split(';')[0]!
  }
  const get = (path: string, cookie?: string) =>
    platformWith({ ADMIN_TOKEN: ADMIN }, path, cookie ? { headers: { Cookie: cookie } } : {})

  it('asks the operator to sign in, then lists the trail filtered as typed, and gives it as CSV', async () => {
    const worker = await deployNew(uniqueName('audit-page'), 'export default { fetch: () => new Response("x") }')
    await asAdmin(`/api/admin/workers/${worker.name}/suspend`, { method: 'POST', body: '{"reason":"<b>page</b>"}' })
    await runDurableObjectAlarm(env.NAME_CLAIMS.getByName(worker.name))

    const signedOut = await get(`/admin/audit?name=${worker.name}`)
    expect(signedOut.status).toBe(401)
    expect(await signedOut.text()).toContain('name="token"')

    const cookie = await adminCookie()
    const res = await get(`/admin/audit?name=${worker.name}`, cookie)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain(`value="${worker.name}"`)
    expect(html).toContain('Suspended: &lt;b&gt;page&lt;/b&gt;')
    expect(html.match(/<tr>/g)?.length).toBe(4)
    expect(html).toContain('aria-current="page"')

    const csv = await get(`/admin/audit?name=${worker.name}&action=claim&format=csv`, cookie)
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const lines = (await csv.text()).trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[1]).toContain(`,${worker.name},,claim,deploy-token,`)
  })
})
