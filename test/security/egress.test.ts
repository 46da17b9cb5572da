import { afterEach, describe, expect, it, vi } from 'vitest'
import { HOPS_HEADER } from '../../src/dispatch/egress'
import { deployNew, platform, platformWith, uniqueName } from '../helpers'

// What a user Worker can reach with fetch() and connect(). In these tests everything the platform
// itself fetches goes to the Cloudflare API double (the vitest outbound service), which stands in
// for the public internet; a spy on the platform's fetch plays other hosts where a test needs them.

/** A user Worker that fetches `?t=` (with `?m=` as redirect mode) and reports what happened. */
const PROBE = `export default {
  async fetch(request) {
    const url = new URL(request.url);
    try {
      const res = await fetch(url.searchParams.get("t"), { redirect: url.searchParams.get("m") ?? "follow" });
      return Response.json({ status: res.status, location: res.headers.get("location"), body: await res.text() });
    } catch (error) {
      return Response.json({ error: error.message });
    }
  },
};`

interface ProbeResult {
  status?: number
  location?: string | null
  body?: string
  error?: string
}

async function deployProbe(egress?: Record<string, unknown>): Promise<string> {
  const name = uniqueName('egress')
  if (egress) {
    const res = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: PROBE, egress }),
    })
    expect(res.status).toBe(201)
  } else {
    await deployNew(name, PROBE)
  }
  return name
}

const probe = async (name: string, target: string, mode?: string) =>
  (
    await platform(`/user-workers/${name}?t=${encodeURIComponent(target)}${mode ? `&m=${mode}` : ''}`)
  ).json<ProbeResult>()

afterEach(() => {
  vi.restoreAllMocks()
})

describe('egress: only the public internet (allow-all)', () => {
  it('refuses loopback and private addresses in every spelling, before any connection', async () => {
    const name = await deployProbe()
    const fetchSpy = vi.spyOn(globalThis, 'fetch')
    for (const target of [
      'http://127.0.0.1:9229/json/list',
      'http://2130706433:9229/',
      'http://0x7f.1/',
      'http://127.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://10.0.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://localhost:8787/',
      'http://foo.localhost/',
      'http://platform.test/api/workers',
    ]) {
      const result = await probe(name, target)
      expect(result.error, target).toMatch(/^Egress blocked by the platform: .+ is not on the public internet\.$/)
    }
    expect(fetchSpy).not.toHaveBeenCalled()
  })

  it('still lets public hosts through, and the allow-list and block-all work as before', async () => {
    expect(await probe(await deployProbe(), 'http://cloudflare-api.test/__double/requests')).toMatchObject({
      status: 200,
    })
    const listed = await deployProbe({ mode: 'allow-list', hosts: ['cloudflare-api.test'] })
    expect(await probe(listed, 'http://cloudflare-api.test/__double/requests')).toMatchObject({ status: 200 })
    expect((await probe(listed, 'http://other.test/')).error).toBe(
      "Egress blocked by the platform: other.test is not on this worker's allow-list.",
    )
    expect((await probe(listed, 'http://127.0.0.1/')).error).toContain('is not on the public internet')
    const none = await deployProbe({ mode: 'block-all', hosts: [] })
    expect((await probe(none, 'http://cloudflare-api.test/')).error).toMatch(/not permitted|disallowed|not allowed/i)
  })

  it('checks every redirect hop; a request with redirect: "manual" gets the 3xx as is', async () => {
    const realFetch = globalThis.fetch
    vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      const request = new Request(input, init)
      const { hostname, pathname } = new URL(request.url)
      if (hostname === 'redirector.test') {
        const location =
          pathname === '/to-loopback' ? 'http://127.0.0.1:9229/json' : 'http://cloudflare-api.test/__double/requests'
        return Promise.resolve(new Response(null, { status: 302, headers: { Location: location } }))
      }
      return realFetch(request)
    })
    const name = await deployProbe()
    expect((await probe(name, 'http://redirector.test/to-loopback')).error).toBe(
      'Egress blocked by the platform: 127.0.0.1 is not on the public internet.',
    )
    expect(await probe(name, 'http://redirector.test/to-public')).toMatchObject({ status: 200 })
    expect(await probe(name, 'http://redirector.test/to-loopback', 'manual')).toMatchObject({
      status: 302,
      location: 'http://127.0.0.1:9229/json',
    })
  })

  it('tells the worker what happened when a fetch fails, instead of "internal error"', async () => {
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('internal error; reference = 0123abcd'))
    const name = await deployProbe()
    expect(await probe(name, 'http://offline.example/')).toEqual({
      error: 'Egress failed: could not connect to offline.example.',
    })
  })
})

describe('egress: raw sockets', () => {
  const SOCKET_PROBE = `import { connect } from "cloudflare:sockets";
export default {
  async fetch(request) {
    try {
      const socket = connect(new URL(request.url).searchParams.get("t"));
      const writer = socket.writable.getWriter();
      await writer.write(new TextEncoder().encode("GET /json HTTP/1.0\\r\\n\\r\\n"));
      return Response.json({ read: await new Response(socket.readable).text() });
    } catch (error) {
      return Response.json({ error: error.message });
    }
  },
};`

  it('are refused unless the worker allows them, and then only to the public internet', async () => {
    const off = uniqueName('sockets-off')
    await deployNew(off, SOCKET_PROBE)
    const on = uniqueName('sockets-on')
    const res = await platform(`/api/workers/${on}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: SOCKET_PROBE, egress: { mode: 'allow-all', hosts: [], sockets: true } }),
    })
    expect((await res.json<{ settings: { egress: unknown } }>()).settings.egress).toEqual({
      mode: 'allow-all',
      hosts: [],
      sockets: true,
    })
    for (const name of [off, on]) {
      const result = await (await platform(`/user-workers/${name}?t=127.0.0.1:9229`)).json<{ read?: string }>()
      // The gate closes the connection: nothing of the target ever comes back.
      expect(result.read ?? '', name).toBe('')
    }
  })

  it('the setting must be true or false', async () => {
    const res = await platform(`/api/workers/${uniqueName('sockets-bad')}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: PROBE, egress: { mode: 'allow-all', sockets: 'yes' } }),
    })
    expect(res.status).toBe(400)
    expect((await res.json<{ error: { message: string } }>()).error.message).toBe(
      '"egress.sockets" must be true or false.',
    )
  })
})

describe('loops', () => {
  const domain = { USER_WORKERS_DOMAIN: 'workers.test' }

  /** Routes the platform's outbound fetches for <name>.workers.test back into the platform, as on Cloudflare. */
  function routeWorkersDomainToPlatform() {
    const realFetch = globalThis.fetch
    vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      const request = new Request(input, init)
      if (!new URL(request.url).hostname.endsWith('.workers.test')) return realFetch(request)
      return platformWith(domain, request.url, { method: request.method, headers: request.headers })
    })
  }

  /** A worker that fetches the other one (on its own origin) and answers with what it got. */
  const pingPong = (other: string, resetCount: boolean) => `export default {
  async fetch() {
    const headers = ${resetCount ? `{ "${HOPS_HEADER}": "0" }` : '{}'};
    const res = await fetch("http://${other}.workers.test/", { headers });
    return new Response(await res.text(), { status: res.status });
  },
};`

  it('two workers fetching each other are stopped with 508 after MAX_HOPS, even if they reset the count', async () => {
    routeWorkersDomainToPlatform()
    for (const reset of [false, true]) {
      const [ping, pong] = [uniqueName('ping'), uniqueName('pong')]
      await deployNew(ping, pingPong(pong, reset))
      await deployNew(pong, pingPong(ping, reset))
      const res = await platformWith(domain, `http://${ping}.workers.test/`)
      expect(res.status, `reset: ${reset}`).toBe(508)
      expect(await res.text()).toContain('passed through the platform 6 times (the limit is 5)')
    }
  })

  it('the limit is MAX_HOPS', async () => {
    const name = uniqueName('hops-config')
    await deployNew(name, PROBE)
    const headers = { [HOPS_HEADER]: '2' }
    const looped = await platformWith({ MAX_HOPS: '1' }, `/user-workers/${name}`, { headers })
    expect(looped.status).toBe(508)
    expect(await looped.text()).toContain('This request went round in a loop')
    expect(
      (await platformWith({ MAX_HOPS: '2' }, `/user-workers/${name}?t=http://cloudflare-api.test/`, { headers }))
        .status,
    ).toBe(200)
  })

  it('a client-sent count above the limit is refused at once (it only hurts the sender)', async () => {
    const name = uniqueName('loop-client')
    await deployNew(name, PROBE)
    const res = await platform(`/user-workers/${name}`, { headers: { [HOPS_HEADER]: '6' } })
    expect(res.status).toBe(508)
    const ok = await platform(`/user-workers/${name}?t=http://cloudflare-api.test/`, {
      headers: { [HOPS_HEADER]: '2' },
    })
    expect(ok.status).toBe(200)
  })
})
