import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { deployNew, helloScript, platform, platformWith, postForm, uniqueName } from '../helpers'

const COOKIE_SCRIPT = `export default {
  fetch() {
    return new Response("<h1>hi</h1>", { headers: { "content-type": "text/html", "set-cookie": "session=stolen; Path=/" } });
  },
};`

describe('shared origin (/user-workers/...)', () => {
  it('sends user responses with a CSP sandbox that denies same-origin, and drops Set-Cookie', async () => {
    const name = uniqueName('cookie')
    await deployNew(name, COOKIE_SCRIPT)
    const res = await platform(`/user-workers/${name}`)
    expect(res.status).toBe(200)
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toMatch(/^sandbox /)
    expect(csp).not.toContain('allow-same-origin')
    expect(res.headers.get('set-cookie')).toBeNull()
    expect(await res.text()).toBe('<h1>hi</h1>')
  })

  it('never gives user responses the platform’s own security headers', async () => {
    const name = uniqueName('plain')
    await deployNew(name, helloScript('x'))
    const res = await platform(`/user-workers/${name}`)
    expect(res.headers.get('x-frame-options')).toBeNull()
    expect(res.headers.get('content-security-policy')).not.toContain("default-src 'none'")
  })

  it('the sandbox can be turned off (USER_WORKERS_SANDBOX=off) but cookies stay dropped', async () => {
    const name = uniqueName('nosandbox')
    await deployNew(name, COOKIE_SCRIPT)
    const res = await platformWith({ USER_WORKERS_SANDBOX: 'off' }, `/user-workers/${name}`)
    expect(res.headers.get('content-security-policy')).toBeNull()
    expect(res.headers.get('set-cookie')).toBeNull()
  })
})

describe('host routing (USER_WORKERS_DOMAIN)', () => {
  const domain = { USER_WORKERS_DOMAIN: 'localhost' }

  it('serves <name>.<domain> on its own origin: full path, cookies allowed, no sandbox', async () => {
    const name = uniqueName('host')
    await deployNew(name, COOKIE_SCRIPT)
    const res = await platformWith(domain, `http://${name}.localhost:8787/any/path`)
    expect(res.status).toBe(200)
    expect(res.headers.get('set-cookie')).toBe('session=stolen; Path=/')
    expect(res.headers.get('content-security-policy')).toBeNull()
  })

  it('passes the path untouched and sends no prefix header', async () => {
    const name = uniqueName('host-echo')
    await deployNew(
      name,
      `export default { fetch(r) { return Response.json({ path: new URL(r.url).pathname, prefix: r.headers.get("x-forwarded-prefix") }) } }`,
    )
    const res = await platformWith(domain, `http://${name}.localhost:8787/user-workers/not-a-mount?q=1`)
    expect(await res.json()).toEqual({ path: '/user-workers/not-a-mount', prefix: null })
  })

  it('answers 404 for unknown and invalid names, and keeps the platform on the bare domain', async () => {
    expect((await platformWith(domain, 'http://nobody-here.localhost:8787/')).status).toBe(404)
    expect((await platformWith(domain, 'http://a.b.localhost:8787/')).status).toBe(404)
    const home = await platformWith(domain, 'http://localhost:8787/')
    expect(home.status).toBe(200)
    expect(await home.text()).toContain('Your workers')
  })

  it('shows the worker’s own origin as its URL', async () => {
    const name = uniqueName('host-url')
    const res = await platformWith(domain, 'http://localhost:8787/upload', {
      method: 'POST',
      body: new URLSearchParams({ name, script: helloScript('x') }),
    })
    const page = await (await platformWith(domain, `http://localhost:8787${res.headers.get('location')}`)).text()
    expect(page).toContain(`href="http://${name}.localhost:8787/"`)
  })

  it('serves <name>.localhost without any setting when the platform runs on localhost (npm run dev), and links it', async () => {
    const name = uniqueName('site')
    await deployNew(name, helloScript('my own origin'))
    const own = await platformWith({}, `http://${name}.localhost:8787/`)
    expect(await own.text()).toBe('my own origin')
    expect(own.headers.get('content-security-policy')).toBeNull()
    const page = await (await platformWith({}, `http://localhost:8787/workers/${name}`)).text()
    expect(page).toContain(`href="http://${name}.localhost:8787/"`)
    const described = await (
      await platformWith({}, `http://localhost:8787/api/workers/${name}`)
    ).json<{
      url: string
      siteUrl: string
    }>()
    expect(described).toMatchObject({
      url: `http://localhost:8787/user-workers/${name}`,
      siteUrl: `http://${name}.localhost:8787/`,
    })
    // Elsewhere (a real domain, no USER_WORKERS_DOMAIN) there is no host routing: that host is the platform.
    expect(await (await platformWith({}, `http://${name}.platform.test/`)).text()).toContain('Your workers')
  })

  it('gives a host-routed worker its own /assets/ paths, not the platform’s stylesheet', async () => {
    const name = uniqueName('own-assets')
    await deployNew(name, helloScript('tenant asset'))
    expect(await (await platformWith(domain, `http://${name}.localhost:8787/assets/app.css`)).text()).toBe(
      'tenant asset',
    )
  })

  it('serves the platform, not a worker, on a reserved name, even one deployed before it was reserved', async () => {
    const name = 'www'
    const deployed = await platformWith({ RESERVED_NAMES: ',' }, `/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/javascript' },
      body: helloScript('a tenant at www'),
    })
    expect(deployed.status).toBe(201)
    const home = await platformWith(domain, 'http://www.localhost:8787/')
    expect(await home.text()).toContain('Your workers')
  })

  it('links each worker in the home list to its own origin', async () => {
    // The list is in name order, 50 a page, and the test files share storage: a leading digit puts
    // this worker on the first page.
    const name = uniqueName('0host-list')
    await deployNew(name, helloScript('x'))
    const home = await (await platformWith(domain, 'http://localhost:8787/')).text()
    expect(home).toContain(`href="http://${name}.localhost:8787/"`)
    expect(home).toContain('&lt;name&gt;.localhost')
    expect(home).not.toContain(`/user-workers/${name}`)
  })
})

describe('platform pages and API', () => {
  it('carry security headers and a CSP that allows no inline script', async () => {
    for (const path of ['/', '/upload', '/api/workers', '/no-such-page']) {
      const res = await platform(path)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp, path).toContain("script-src 'self'")
      expect(csp, path).toContain("frame-ancestors 'none'")
      expect(csp, path).not.toContain('unsafe-inline')
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(res.headers.get('set-cookie'), path).toBeNull()
    }
  })

  it('refuse cross-origin form posts (CSRF) and accept same-origin ones', async () => {
    const name = uniqueName('csrf')
    const body = () => new URLSearchParams({ name, script: helloScript('x') })
    const evil = await platform('/upload', {
      method: 'POST',
      body: body(),
      headers: { Origin: 'https://evil.example' },
    })
    expect(evil.status).toBe(403)
    expect(await evil.text()).toContain('can only be submitted from this platform')
    const crossSite = await platform('/upload', {
      method: 'POST',
      body: body(),
      headers: { 'Sec-Fetch-Site': 'cross-site' },
    })
    expect(crossSite.status).toBe(403)
    expect((await platform(`/user-workers/${name}`)).status).toBe(404)

    const same = await platform('/upload', {
      method: 'POST',
      body: body(),
      headers: { Origin: 'http://platform.test' },
    })
    expect(same.status).toBe(303)
  })

  it('rate-limit uploads per client IP with 429 and Retry-After, keeping the form input', async () => {
    const limited = { UPLOAD_LIMITER: env.STRICT_UPLOAD_LIMITER }
    const ip = { 'CF-Connecting-IP': '203.0.113.7' }
    const put = (name: string) =>
      platformWith(limited, `/api/workers/${name}`, { method: 'PUT', headers: ip, body: helloScript('x') })
    for (let i = 0; i < 3; i++) expect((await put(uniqueName('rl'))).status).toBe(201)

    const name = uniqueName('rl-over')
    const over = await put(name)
    expect(over.status).toBe(429)
    expect(over.headers.get('retry-after')).toBe('60')
    expect((await over.json<{ error: { code: string } }>()).error.code).toBe('rate_limited')

    const script = helloScript('kept')
    const form = await platformWith(limited, '/upload', {
      method: 'POST',
      headers: ip,
      body: new URLSearchParams({ name, script }),
    })
    expect(form.status).toBe(429)
    expect(form.headers.get('retry-after')).toBe('60')
    expect(await form.text()).toContain('Too many uploads')
    expect((await platform(`/api/workers/${name}`)).status).toBe(404)

    // Another address has its own budget.
    const other = await platformWith(limited, `/api/workers/${uniqueName('rl')}`, {
      method: 'PUT',
      headers: { 'CF-Connecting-IP': '198.51.100.9' },
      body: helloScript('x'),
    })
    expect(other.status).toBe(201)
  })

  it('user workers cannot reach the platform’s bindings or secrets', async () => {
    const name = uniqueName('probe')
    await deployNew(
      name,
      `export default { fetch(req, env) { return Response.json({ keys: Object.keys(env), global: typeof WORKER_MAPPINGS, admin: typeof ADMIN_TOKEN }) } }`,
    )
    const res = await platformWith({ ADMIN_TOKEN: 'admin-token-for-tests-0123456789abcdef' }, `/user-workers/${name}`)
    expect(await res.json()).toEqual({ keys: [], global: 'undefined', admin: 'undefined' })
  })

  it('the form post needs no cookie and sets none', async () => {
    const res = await postForm({ name: uniqueName('nocookie'), script: helloScript('x') })
    expect(res.headers.get('set-cookie')).toBeNull()
  })
})

describe('headers that act on a whole origin', () => {
  const ORIGIN_WIDE = `export default {
  fetch() {
    const headers = new Headers({ "content-type": "text/plain" });
    headers.append("set-cookie", "a=1; Path=/");
    headers.append("clear-site-data", '"cookies", "storage"');
    headers.append("strict-transport-security", "max-age=31536000; includeSubDomains");
    headers.append("alt-svc", 'h2="evil.example:443"');
    headers.append("nel", '{"report_to":"x","max_age":86400}');
    headers.append("x-own", "kept");
    return new Response("ok", { headers });
  },
};`

  it('are dropped from user responses on the shared origin; the worker’s own headers stay', async () => {
    const name = uniqueName('origin-wide')
    await deployNew(name, ORIGIN_WIDE)
    const res = await platform(`/user-workers/${name}`)
    for (const header of ['set-cookie', 'clear-site-data', 'strict-transport-security', 'alt-svc', 'nel']) {
      expect(res.headers.get(header), header).toBeNull()
    }
    expect(res.headers.get('x-own')).toBe('kept')
    expect(await res.text()).toBe('ok')
  })

  const WEBSOCKET = `export default {
  fetch(request) {
    if (request.headers.get("upgrade") !== "websocket") return new Response("upgrade expected", { status: 426 });
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.addEventListener("message", (event) => server.send("echo:" + event.data));
    return new Response(null, {
      status: 101,
      webSocket: client,
      headers: { "set-cookie": "ws=stolen; Path=/", "clear-site-data": '"cookies"', "x-own": "kept" },
    });
  },
};`

  it('are dropped from a WebSocket upgrade on the shared origin, and the socket still works', async () => {
    const name = uniqueName('ws')
    await deployNew(name, WEBSOCKET)
    const res = await platform(`/user-workers/${name}`, { headers: { Upgrade: 'websocket' } })
    expect(res.status).toBe(101)
    expect(res.headers.get('set-cookie')).toBeNull()
    expect(res.headers.get('clear-site-data')).toBeNull()
    expect(res.headers.get('x-own')).toBe('kept')
    expect(res.headers.get('content-security-policy')).toBeNull()
    const socket = res.webSocket!
    socket.accept()
    const reply = new Promise<unknown>((resolve) => socket.addEventListener('message', (event) => resolve(event.data)))
    socket.send('hi')
    expect(await reply).toBe('echo:hi')
    socket.close()
  })
})

describe('cookies under host routing', () => {
  const domain = { USER_WORKERS_DOMAIN: 'workers.test' }
  const SETS_COOKIES = `export default {
  fetch() {
    const headers = new Headers();
    headers.append("set-cookie", "own=1; Path=/; HttpOnly");
    headers.append("set-cookie", "parent=2; Domain=workers.test; Path=/; Secure");
    headers.append("set-cookie", "dotted=3; path=/; DOMAIN=.workers.test");
    headers.append("set-cookie", "exact=4; Domain=SELF.workers.test");
    return new Response("ok", { headers });
  },
};`

  it('a cookie scoped to the parent domain (the platform and every tenant) becomes host-only', async () => {
    const name = uniqueName('cookies')
    await deployNew(name, SETS_COOKIES.replace('SELF', name))
    const res = await platformWith(domain, `http://${name}.workers.test/`)
    expect(res.headers.getSetCookie()).toEqual([
      'own=1; Path=/; HttpOnly',
      'parent=2; Path=/; Secure',
      'dotted=3; path=/',
      'exact=4',
    ])
    expect(await res.text()).toBe('ok')
  })

  it('responses without such cookies pass as they are', async () => {
    const name = uniqueName('cookies-plain')
    await deployNew(name, COOKIE_SCRIPT)
    const res = await platformWith(domain, `http://${name}.workers.test/`)
    expect(res.headers.get('set-cookie')).toBe('session=stolen; Path=/')
  })
})

describe('security headers on everything the platform renders', () => {
  it('includes its error pages for dispatch: unknown worker, a worker that throws, a loop', async () => {
    const thrower = uniqueName('throws')
    await deployNew(thrower, 'export default { fetch() { throw new Error("x") } }')
    const pages: [string, RequestInit | undefined][] = [
      ['/user-workers/no-such-worker', undefined],
      ['/user-workers/Invalid_Name', undefined],
      [`/user-workers/${thrower}`, undefined],
      [`/user-workers/${thrower}`, { headers: { 'X-Platform-Hops': '99' } }],
    ]
    for (const [path, init] of pages) {
      const res = await platform(path, init)
      expect(res.status, path).toBeGreaterThanOrEqual(400)
      expect(res.headers.get('content-security-policy') ?? '', path).toContain("frame-ancestors 'none'")
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
    }
    const unknownHost = await platformWith({ USER_WORKERS_DOMAIN: 'workers.test' }, 'http://nobody.workers.test/')
    expect(unknownHost.status).toBe(404)
    expect(unknownHost.headers.get('x-content-type-options')).toBe('nosniff')
  })
})
