import { describe, expect, it } from 'vitest'
import { deployNew, ECHO_SCRIPT, helloScript, platform, platformWith, putScript, uniqueName } from '../helpers'

describe('dispatch to /user-workers/:name (dynamic-workers)', () => {
  it('serves the uploaded worker at its mount, with and without a trailing slash', async () => {
    const name = uniqueName('hello')
    expect((await putScript(name, helloScript('Hello there'))).status).toBe(201)

    for (const path of [`/user-workers/${name}`, `/user-workers/${name}/`]) {
      const res = await platform(path)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('Hello there')
    }
  })

  it('sends a browser opening the mount without its slash to the slash, so relative links stay below it', async () => {
    const name = uniqueName('slash')
    expect((await putScript(name, helloScript('site'))).status).toBe(201)
    const navigate = { headers: { 'Sec-Fetch-Mode': 'navigate' } }
    const opened = await platform(`/user-workers/${name}?tab=1`, navigate)
    expect(opened.status).toBe(308)
    expect(opened.headers.get('location')).toBe(`/user-workers/${name}/?tab=1`)
    expect(await (await platform(`/user-workers/${name}/?tab=1`, navigate)).text()).toBe('site')
    // A script's fetch, and a form's post, reach the worker as they are.
    expect(await (await platform(`/user-workers/${name}`, { headers: { 'Sec-Fetch-Mode': 'cors' } })).text()).toBe(
      'site',
    )
    const posted = await platform(`/user-workers/${name}`, { method: 'POST', ...navigate, body: 'x' })
    expect(posted.status).toBe(200)
  })

  it('passes method, headers, query and body through and rewrites the path below the mount', async () => {
    const name = uniqueName('echo')
    await putScript(name, ECHO_SCRIPT)

    const res = await platform(`/user-workers/${name}/a/b?x=1&y=%20z`, {
      method: 'POST',
      headers: { 'X-Custom': 'kept', 'Content-Type': 'text/plain' },
      body: 'payload',
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      method: 'POST',
      path: '/a/b',
      search: '?x=1&y=%20z',
      prefix: `/user-workers/${name}`,
      custom: 'kept',
      body: 'payload',
    })
  })

  it('passes the status and headers of the user response back', async () => {
    const name = uniqueName('teapot')
    await putScript(
      name,
      `export default { fetch() { return new Response("short", { status: 418, headers: { "x-user": "yes" } }) } }`,
    )
    const res = await platform(`/user-workers/${name}/anything`)
    expect(res.status).toBe(418)
    expect(res.headers.get('x-user')).toBe('yes')
  })

  it('answers 404 with a page for an unknown or invalid name', async () => {
    for (const path of [
      '/user-workers/no-such-worker',
      '/user-workers/Upper',
      '/user-workers/a%2fb/c',
      '/user-workers/',
    ]) {
      const res = await platform(path)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-type')).toContain('text/html')
      expect(await res.text()).toContain('No such worker')
    }
  })

  it('answers 500 with a page that reveals nothing when the user worker throws', async () => {
    const name = uniqueName('thrower')
    await putScript(name, `export default { fetch() { throw new Error("database password is hunter2") } }`)
    const res = await platform(`/user-workers/${name}`)
    expect(res.status).toBe(500)
    const html = await res.text()
    expect(html).toContain('This worker failed')
    expect(html).not.toContain('hunter2')
    expect(html).not.toMatch(/at .*\.(js|ts):\d+/)
  })

  it('gives user workers none of the platform bindings', async () => {
    const name = uniqueName('snoop')
    await putScript(name, `export default { fetch(req, env) { return Response.json(Object.keys(env)) } }`)
    const res = await platform(`/user-workers/${name}`)
    expect(await res.json()).toEqual([])
  })

  it('serves the new version right after an update, each version under its own Worker ID', async () => {
    const name = uniqueName('versions')
    const first = await deployNew(name, helloScript('v1'))
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('v1')

    const second = await putScript(name, helloScript('v2'), first.token)
    expect(second.status).toBe(200)
    const body = await second.json<{ workerId: string }>()
    expect(body.workerId).not.toBe(first.workerId)
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('v2')
  })

  it('keeps the previous version serving when an update is rejected', async () => {
    const name = uniqueName('stable')
    const { token } = await deployNew(name, helloScript('still v1'))
    const broken = await putScript(name, 'export default { fetch() { return new Response("x") }', token)
    expect(broken.status).toBe(400)
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('still v1')
  })
})

describe('the URL a worker sees', () => {
  const HOST_ECHO = `export default {
  fetch(request) {
    const url = new URL(request.url);
    return Response.json({ host: url.host, path: url.pathname, search: url.search, prefix: request.headers.get("x-forwarded-prefix") });
  },
};`

  it('keeps the platform’s host and the exact path, even one that starts with "//"', async () => {
    const name = uniqueName('slashes')
    await deployNew(name, HOST_ECHO)
    for (const [path, seen] of [
      ['//evil.example/x?y=1', '//evil.example/x'],
      ['///evil.example', '///evil.example'],
      ['/%2F%2Fevil.example/x', '/%2F%2Fevil.example/x'],
    ] as const) {
      const res = await platform(`/user-workers/${name}${path}`)
      expect(await res.json(), path).toMatchObject({ host: 'platform.test', path: seen })
    }
  })

  it('does the same under host routing, where a client-sent X-Forwarded-Prefix is dropped', async () => {
    const name = uniqueName('host-slashes')
    await deployNew(name, HOST_ECHO)
    const res = await platformWith(
      { USER_WORKERS_DOMAIN: 'localhost' },
      `http://${name}.localhost:8787//evil.example/x?q=1`,
      {
        headers: { 'X-Forwarded-Prefix': '/forged' },
      },
    )
    expect(await res.json()).toEqual({
      host: `${name}.localhost:8787`,
      path: '//evil.example/x',
      search: '?q=1',
      prefix: null,
    })
  })

  it('a relative redirect of the worker stays on the platform', async () => {
    const name = uniqueName('redirector')
    await deployNew(
      name,
      `export default { fetch(request) { return Response.redirect(new URL("login", request.url).href, 302) } }`,
    )
    const res = await platform(`/user-workers/${name}//evil.example/`)
    expect(new URL(res.headers.get('location')!).host).toBe('platform.test')
  })

  it('passes request.cf to the worker only when USER_WORKERS_TRUSTED is set (an untrusted namespace gets none)', async () => {
    const name = uniqueName('cf')
    await deployNew(name, 'export default { fetch(request) { return Response.json(request.cf ?? null) } }')
    const cf = { country: 'PT', colo: 'LIS' }
    const send = (trusted: string) => platformWith({ USER_WORKERS_TRUSTED: trusted }, `/user-workers/${name}`, { cf })
    expect(await (await send('true')).json()).toMatchObject(cf)
    expect(await (await send('false')).json()).toBeNull()
  })
})
