import { describe, expect, it } from 'vitest'
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import app from '../../src/index'
import { PLATFORM_COOKIE_PREFIX } from '../../src/core/cookies'
import { deployNew, platform, uniqueName } from '../helpers'

// Development: no SaaS zone, so custom domains are names under .test, verified at once
// (docs/custom-domains.md). The tests' own origin, platform.test, is in PLATFORM_HOSTNAMES.

const HOST_ECHO = `export default {
  fetch: (request) => Response.json({ url: request.url, cookie: request.headers.get("cookie") }),
};`

function api(path: string, token: string | undefined, init: RequestInit = {}) {
  const headers = new Headers(init.headers)
  if (token) headers.set('Authorization', `Bearer ${token}`)
  return platform(`/api${path}`, { ...init, headers })
}

const add = (name: string, hostname: string, token?: string) =>
  api(`/workers/${name}/domains`, token, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ hostname }),
  })

/** A request as a browser sends it to `url` (its Host); through this isolate, whose mapping cache may be warm. */
const visit = (url: string) => exports.default.fetch(new Request(url, { redirect: 'manual' }))

/** The same from an isolate that has read nothing yet (another location, or this one after MAPPING_CACHE_SECONDS). */
async function visitFresh(url: string): Promise<Response> {
  const ctx = createExecutionContext()
  const res = await app.fetch(new Request(url, { redirect: 'manual' }), { ...env }, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

describe('custom domains in development (.test, no SaaS zone)', () => {
  it('serves a .test hostname at once, on its own origin, and lists it with its state', async () => {
    const worker = await deployNew(uniqueName('dom'), HOST_ECHO)
    const hostname = `${uniqueName('shop')}.example.test`
    const res = await add(worker.name, `  ${hostname.toUpperCase()}. `, worker.token)
    expect(res.status, await res.clone().text()).toBe(201)
    expect(await res.json()).toMatchObject({ hostname, state: 'serving', status: 'active', sslStatus: 'active' })

    const served = await visit(`http://${hostname}/cart?x=1`)
    expect(served.status).toBe(200)
    expect(await served.json()).toEqual({ url: `http://${hostname}/cart?x=1`, cookie: null })

    const listed = await api(`/workers/${worker.name}/domains`, worker.token)
    expect(await listed.json()).toMatchObject({ domains: [{ hostname, state: 'serving' }] })
  })

  it("keeps cookies on the hostname: the platform's never reach the worker, the worker's become host-only", async () => {
    const worker = await deployNew(
      uniqueName('dom'),
      `export default {
        fetch: (request) => new Response(request.headers.get("cookie"), {
          headers: { "Set-Cookie": "cart=1; Domain=example.test; Path=/" },
        }),
      };`,
    )
    const hostname = `${uniqueName('cookies')}.example.test`
    expect((await add(worker.name, hostname, worker.token)).status).toBe(201)
    const res = await exports.default.fetch(
      new Request(`http://${hostname}/`, { headers: { Cookie: `${PLATFORM_COOKIE_PREFIX}session=secret; mine=1` } }),
    )
    expect(await res.text()).toBe('mine=1')
    expect(res.headers.get('Set-Cookie')).toBe('cart=1; Path=/')
  })

  it('stores and matches internationalised names in punycode', async () => {
    const worker = await deployNew(uniqueName('dom'), HOST_ECHO)
    const label = uniqueName('bücher')
    const res = await add(worker.name, `${label}.example.test`, worker.token)
    expect(res.status, await res.clone().text()).toBe(201)
    const { hostname } = await res.json<{ hostname: string }>()
    expect(hostname).toMatch(/^xn--/)
    expect(hostname).toBe(new URL(`http://${label}.example.test/`).hostname)
    expect((await visit(`http://${hostname}/`)).status).toBe(200)
  })

  it('gives a host nobody serves the 404 page, not the platform', async () => {
    const res = await visit(`http://${uniqueName('nobody')}.example.test/`)
    expect(res.status).toBe(404)
    expect(await res.text()).toContain('No worker is served at')
  })

  it('refuses a hostname another worker holds (409), and counts against MAX_DOMAINS_PER_WORKER', async () => {
    const first = await deployNew(uniqueName('dom'), HOST_ECHO)
    const second = await deployNew(uniqueName('dom'), HOST_ECHO)
    const hostname = `${uniqueName('taken')}.example.test`
    expect((await add(first.name, hostname, first.token)).status).toBe(201)
    const taken = await add(second.name, hostname, second.token)
    expect(taken.status).toBe(409)
    expect(await taken.json()).toMatchObject({ error: { code: 'domain_taken' } })
    // The refused claim is not listed for the second worker.
    expect(await (await api(`/workers/${second.name}/domains`, second.token)).json()).toEqual({
      domains: [],
      cnameTarget: null,
    })
    // Adding the same hostname again to its own worker changes nothing.
    expect((await add(first.name, hostname, first.token)).status).toBe(201)
    for (let i = 1; i < 10; i++)
      expect((await add(first.name, `${uniqueName('n')}.example.test`, first.token)).status).toBe(201)
    const full = await add(first.name, `${uniqueName('n')}.example.test`, first.token)
    expect(full.status).toBe(400)
    expect(await full.json()).toMatchObject({ error: { code: 'too_many_domains' } })
  })

  it('takes changes from the owner only', async () => {
    const worker = await deployNew(uniqueName('dom'), HOST_ECHO)
    expect((await add(worker.name, `${uniqueName('x')}.example.test`)).status).toBe(403)
    expect((await api(`/workers/${worker.name}/domains`, undefined)).status).toBe(401)
    expect((await add(worker.name, `${uniqueName('x')}.example.test`, 'wfp_wrong')).status).toBe(401)
  })

  it('refuses what cannot be a custom domain, naming the rule (400)', async () => {
    const worker = await deployNew(uniqueName('dom'), HOST_ECHO)
    for (const [hostname, rule] of [
      ['shop.example.com', 'no SaaS zone'],
      ['10.0.0.1', 'IP address'],
      ['[::1]', 'IP address'],
      ['localhost', 'localhost'],
      ['a.localhost', 'localhost'],
      ['platform.test', 'platform’s own host'],
      ['*.example.test', 'wildcards'],
      ['https://shop.example.test/', 'without a scheme'],
      ['test', 'at least two labels'],
      ['-bad-.example.test', 'each label'],
    ]) {
      const res = await add(worker.name, hostname!, worker.token)
      expect(res.status, hostname).toBe(400)
      expect((await res.json<{ error: { message: string } }>()).error.message, hostname).toContain(rule)
    }
  })

  it('stops serving a removed hostname, for isolates that have not cached it at once, and frees it', async () => {
    const worker = await deployNew(uniqueName('dom'), HOST_ECHO)
    const hostname = `${uniqueName('gone')}.example.test`
    await add(worker.name, hostname, worker.token)
    expect((await visit(`http://${hostname}/`)).status).toBe(200)
    const removed = await api(`/workers/${worker.name}/domains/${hostname}`, worker.token, { method: 'DELETE' })
    expect(removed.status).toBe(200)
    expect((await visitFresh(`http://${hostname}/`)).status).toBe(404)
    expect(await (await api(`/workers/${worker.name}/domains`, worker.token)).json()).toEqual({
      domains: [],
      cnameTarget: null,
    })
    const other = await deployNew(uniqueName('dom'), HOST_ECHO)
    expect((await add(other.name, hostname, other.token)).status).toBe(201)
    const missing = await api(`/workers/${worker.name}/domains/${hostname}`, worker.token, { method: 'DELETE' })
    expect(missing.status).toBe(404)
  })

  it("deleting the worker stops its hostnames at once (the owner's claim ends) and frees them", async () => {
    const worker = await deployNew(uniqueName('dom'), HOST_ECHO)
    const hostname = `${uniqueName('deleted')}.example.test`
    await add(worker.name, hostname, worker.token)
    expect((await visit(`http://${hostname}/`)).status).toBe(200)
    expect((await api(`/workers/${worker.name}`, worker.token, { method: 'DELETE' })).status).toBe(200)
    // Even an isolate whose cache still maps the hostname refuses: the name no longer has that owner.
    expect((await visit(`http://${hostname}/`)).status).toBe(404)
    expect((await visitFresh(`http://${hostname}/`)).status).toBe(404)
    // The same name claimed again is another worker: the old claim does not follow it.
    const again = await deployNew(worker.name, HOST_ECHO)
    expect(await (await api(`/workers/${again.name}/domains`, again.token)).json()).toEqual({
      domains: [],
      cnameTarget: null,
    })
    expect((await add(again.name, hostname, again.token)).status).toBe(201)
  })
})
