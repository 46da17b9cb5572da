import { beforeEach, describe, expect, it } from 'vitest'
import {
  createExecutionContext,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import app from '../../../src/index'
import { deployNew, platform, uniqueName } from '../../helpers'
import { CLOUDFLARE_DOUBLE, SAAS_ZONE } from '../../doubles/constants'
import { customHostnameRequestProblems, customHostnameResponseProblems } from '../custom-hostnames-openapi'

// With a SaaS zone (vitest.config.ts SAAS_ZONE, the API double's): hostnames are custom hostnames
// of Cloudflare for SaaS, served only once Cloudflare reports ownership and certificate active AND
// the claim's own ownership TXT is in DNS (docs/custom-domains.md).

const DOUBLE = 'http://cloudflare-api.test/__double'
const ECHO = `export default { fetch: (request) => new Response("served " + new URL(request.url).host) };`

interface Recorded {
  method: string
  path: string
  query: string
  json?: unknown
}
interface View {
  hostname: string
  state: string
  status: string
  sslStatus: string
  ownership?: { type: string; name: string; value: string }
  certificateRecords: { name: string; value: string }[]
  messages: string[]
  error?: string
}

const control = (path: string, body?: unknown) =>
  fetch(`${DOUBLE}${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) })
const zoneCalls = async () =>
  (await (await fetch(`${DOUBLE}/requests`)).json<Recorded[]>()).filter((call) => call.path.includes('/zones/'))

function api(path: string, token: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers)
  headers.set('Authorization', `Bearer ${token}`)
  return platform(`/api${path}`, { ...init, headers })
}

async function add(name: string, hostname: string, token: string): Promise<View> {
  const res = await api(`/workers/${name}/domains`, token, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ hostname }),
  })
  expect(res.status, await res.clone().text()).toBe(201)
  return res.json<View>()
}

const check = async (name: string, hostname: string, token: string) =>
  (await api(`/workers/${name}/domains/${hostname}/check`, token, { method: 'POST' })).json<View>()

const visit = (hostname: string) => exports.default.fetch(new Request(`https://${hostname}/`, { redirect: 'manual' }))

/** The same from an isolate that has read nothing yet: this one cached the misses above (MAPPING_CACHE_SECONDS). */
async function visitFresh(hostname: string): Promise<Response> {
  const ctx = createExecutionContext()
  const res = await app.fetch(new Request(`https://${hostname}/`, { redirect: 'manual' }), { ...env }, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

/** Lets the next check run at once: "Check now" waits a few seconds between checks. */
const makeDue = (hostname: string) =>
  runInDurableObject(env.CUSTOM_DOMAINS.getByName(hostname), (_instance, state) => {
    const claim = state.storage.kv.get<Record<string, unknown>>('claim')
    if (claim) state.storage.kv.put('claim', { ...claim, checkedAt: 0, nextCheckAt: 0 })
  })

/** Cloudflare reports both proofs active (what a CNAME to the zone alone achieves). */
const activate = (hostname: string) =>
  control('/custom-hostnames/status', { hostname, status: 'active', ssl_status: 'active' })

beforeEach(async () => {
  await control('/reset')
})

describe('custom domains through Cloudflare for SaaS', () => {
  it('shows a new claim pending with the records to create, and serves once every proof holds', async () => {
    const worker = await deployNew(uniqueName('zone'), ECHO)
    const hostname = `${uniqueName('shop')}.example.com`
    const added = await add(worker.name, hostname, worker.token)
    expect(added).toMatchObject({ hostname, state: 'pending', status: 'pending', sslStatus: 'pending_validation' })
    expect(added.ownership).toMatchObject({ type: 'TXT', name: `_cf-custom-hostname.${hostname}` })
    expect(added.certificateRecords.map(({ name }) => name)).toEqual([`_acme-challenge.${hostname}`])
    const listed = await (await api(`/workers/${worker.name}/domains`, worker.token)).json()
    expect(listed).toMatchObject({
      cnameTarget: 'customers.platform.example',
      domains: [{ hostname, state: 'pending' }],
    })
    expect((await visit(hostname)).status).toBe(404)

    // Cloudflare says active, but the claim's TXT is not in DNS yet: still not served.
    await activate(hostname)
    await makeDue(hostname)
    expect(await check(worker.name, hostname, worker.token)).toMatchObject({ state: 'pending', status: 'active' })
    expect((await visit(hostname)).status).toBe(404)

    await control('/dns', { name: added.ownership!.name, txt: ['something else', added.ownership!.value] })
    await makeDue(hostname)
    expect(await check(worker.name, hostname, worker.token)).toMatchObject({ state: 'serving', txtSeen: true })
    expect(await (await visitFresh(hostname)).text()).toBe(`served ${hostname}`)
  })

  it("reads the records again when the create gave none, and refreshes pending claims in the object's alarm", async () => {
    const worker = await deployNew(uniqueName('zone'), ECHO)
    const hostname = `${uniqueName('late')}.example.com`
    await control('/custom-hostnames/defer')
    const added = await add(worker.name, hostname, worker.token)
    expect(added).toMatchObject({ state: 'pending', sslStatus: 'initializing', certificateRecords: [] })
    expect(added.ownership).toBeUndefined()
    await makeDue(hostname)
    expect(await runDurableObjectAlarm(env.CUSTOM_DOMAINS.getByName(hostname))).toBe(true)
    const [listed] = (await (await api(`/workers/${worker.name}/domains`, worker.token)).json<{ domains: View[] }>())
      .domains
    expect(listed!.ownership?.name).toBe(`_cf-custom-hostname.${hostname}`)
    expect(listed!.certificateRecords).toHaveLength(1)
  })

  it("never activates another tenant's claim through a CNAME left behind: a fresh TXT value per claim, then expiry", async () => {
    const first = await deployNew(uniqueName('zone'), ECHO)
    const hostname = `${uniqueName('dangling')}.example.com`
    const claimed = await add(first.name, hostname, first.token)
    await control('/dns', { name: claimed.ownership!.name, txt: [claimed.ownership!.value] })
    await activate(hostname)
    await makeDue(hostname)
    expect(await check(first.name, hostname, first.token)).toMatchObject({ state: 'serving' })
    // The tenant leaves; its DNS (CNAME and TXT) stays behind.
    expect((await api(`/workers/${first.name}`, first.token, { method: 'DELETE' })).status).toBe(200)

    const attacker = await deployNew(uniqueName('zone'), ECHO)
    const attempt = await add(attacker.name, hostname, attacker.token)
    expect(attempt.ownership!.value).not.toBe(claimed.ownership!.value)
    await activate(hostname)
    await makeDue(hostname)
    expect(await check(attacker.name, hostname, attacker.token)).toMatchObject({ state: 'pending', status: 'active' })
    expect((await visit(hostname)).status).toBe(404)

    // Unverified past its time: the claim expires, the custom hostname goes, the hostname is free.
    await runInDurableObject(env.CUSTOM_DOMAINS.getByName(hostname), (_instance, state) => {
      const claim = state.storage.kv.get<Record<string, unknown>>('claim')
      state.storage.kv.put('claim', { ...claim, expiresAt: 0 })
    })
    expect(await runDurableObjectAlarm(env.CUSTOM_DOMAINS.getByName(hostname))).toBe(true)
    const listed = await (await api(`/workers/${attacker.name}/domains`, attacker.token)).json()
    expect(listed).toMatchObject({ domains: [{ hostname, state: 'expired' }] })
    const deletes = (await zoneCalls()).filter((call) => call.method === 'DELETE')
    expect(deletes).toHaveLength(2)
    expect(await (await fetch(`${DOUBLE}/custom-hostnames`)).json()).toEqual([])
  })

  it('deletes the custom hostname when the domain is removed, retrying a failed DELETE in the alarm', async () => {
    const worker = await deployNew(uniqueName('zone'), ECHO)
    const hostname = `${uniqueName('removed')}.example.com`
    await add(worker.name, hostname, worker.token)
    await control('/fail', {
      status: 500,
      errors: [{ code: 10000, message: 'try later' }],
      match: 'custom_hostnames',
      method: 'DELETE',
    })
    const removed = await api(`/workers/${worker.name}/domains/${hostname}`, worker.token, { method: 'DELETE' })
    expect(removed.status).toBe(200)
    expect(await (await fetch(`${DOUBLE}/custom-hostnames`)).json()).toHaveLength(1)
    expect(await runDurableObjectAlarm(env.CUSTOM_DOMAINS.getByName(hostname))).toBe(true)
    expect(await (await fetch(`${DOUBLE}/custom-hostnames`)).json()).toEqual([])
    expect((await zoneCalls()).filter((call) => call.method === 'DELETE')).toHaveLength(2)
  })

  it('refuses .test names and the platform’s own hosts when a zone is configured', async () => {
    const worker = await deployNew(uniqueName('zone'), ECHO)
    for (const hostname of ['shop.example.test', 'platform.example', 'www.platform.example']) {
      const res = await api(`/workers/${worker.name}/domains`, worker.token, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ hostname }),
      })
      expect(res.status, hostname).toBe(400)
    }
    // Every host but the platform's is a tenant's: an unknown one is the 404 page.
    expect((await visit(`${uniqueName('unknown')}.example.org`)).status).toBe(404)
    expect((await platform('/')).status).toBe(200)
  })

  it('sends only requests valid for the Custom Hostnames OpenAPI schema, and the double answers as it says', async () => {
    const worker = await deployNew(uniqueName('zone'), ECHO)
    const hostname = `${uniqueName('schema')}.example.com`
    await add(worker.name, hostname, worker.token)
    await makeDue(hostname)
    await check(worker.name, hostname, worker.token)
    const [made] = await (await fetch(`${DOUBLE}/custom-hostnames`)).json<{ id: string }[]>()
    expect(made?.id).toHaveLength(36)
    await api(`/workers/${worker.name}/domains/${hostname}`, worker.token, { method: 'DELETE' })
    const calls = await zoneCalls()
    expect(calls.map((call) => call.method)).toEqual(['POST', 'GET', 'DELETE'])
    for (const call of calls) {
      const path = call.path.slice('/client/v4'.length) + call.query
      expect(customHostnameRequestProblems(call.method, path, call.json), `${call.method} ${path}`).toEqual([])
    }
    expect(await (await fetch(`${DOUBLE}/custom-hostnames`)).json()).toEqual([])
    // The double answers as the document says Cloudflare does (a create, and a details read).
    const auth = { Authorization: `Bearer ${CLOUDFLARE_DOUBLE.token}`, 'Content-Type': 'application/json' }
    const zone = `${CLOUDFLARE_DOUBLE.baseUrl}/zones/${SAAS_ZONE.CLOUDFLARE_ZONE_ID}/custom_hostnames`
    const body = JSON.stringify({ hostname: `${uniqueName('direct')}.example.com`, ssl: { method: 'txt', type: 'dv' } })
    const created = await (
      await fetch(zone, { method: 'POST', headers: auth, body })
    ).json<{ result: { id: string } }>()
    expect(customHostnameResponseProblems('create', created)).toEqual([])
    const read = await (await fetch(`${zone}/${created.result.id}`, { headers: auth })).json()
    expect(customHostnameResponseProblems('details', read)).toEqual([])
  })
})
