import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { Accounts, SESSION_TTL_MS } from '../../src/accounts/accounts'
import { AccountIndex } from '../../src/accounts/account-index'
import { helloScript, platform, platformWith, putScript, uniqueName } from '../helpers'

interface SignedUp {
  account: { accountId: string; name: string }
  token: { id: string; value: string }
}

const REFUSED = 'That token is not valid: it is unknown, or it was revoked.'

async function signUp(name = 'Session Co'): Promise<SignedUp> {
  const res = await platform('/api/accounts', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  })
  expect(res.status).toBe(201)
  return res.json()
}

function form(path: string, fields: Record<string, string>, cookie?: string, origin = 'http://platform.test') {
  return platform(new URL(path, origin).toString(), {
    method: 'POST',
    headers: cookie ? { Cookie: cookie } : {},
    body: new URLSearchParams(fields),
  })
}

/** Signs in through the form; the `name=value` pair of the session cookie it set. */
async function signIn(token: string): Promise<string> {
  const res = await form('/signin', { token })
  expect(res.status).toBe(303)
  const setCookie = res.headers.get('set-cookie') ?? ''
  return setCookie.split(';', 1)[0]!
}

const page = (path: string, cookie: string) => platform(path, { headers: { Cookie: cookie } })

describe('console sessions', () => {
  it('sign-in sets a host-only HttpOnly SameSite=Lax cookie, Secure and __Host- only over https', async () => {
    const { token } = await signUp()
    const http = await form('/signin', { token: token.value })
    expect(http.status).toBe(303)
    expect(http.headers.get('location')).toBe('/')
    const cookie = http.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^wfp_session=s_[0-9a-f]{16}_[A-Za-z0-9_-]{43}; /)
    const attributes = cookie.split('; ').slice(1)
    expect(attributes).toEqual(['Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${SESSION_TTL_MS / 1000}`])
    expect(cookie).not.toMatch(/domain/i)
    // The session value is not the token: the token never goes in a cookie.
    expect(cookie).not.toContain(token.value)

    const https = await form('/signin', { token: token.value }, undefined, 'https://platform.test')
    const secure = https.headers.get('set-cookie') ?? ''
    expect(secure).toMatch(/^__Host-wfp_session=s_/)
    expect(secure.split('; ')).toContain('Secure')
    expect(secure).not.toMatch(/domain/i)
    // Over https the session is read under its __Host- name only.
    const pair = secure.split(';', 1)[0]!
    const home = await platform('https://platform.test/', { headers: { Cookie: pair } })
    expect(await home.text()).toContain('Session Co')
  })

  it('refuses an unknown, malformed, revoked or deploy token with one 401 page, the worker kept', async () => {
    const { token } = await signUp()
    const name = uniqueName('sess')
    const deployed = await putScript(name, helloScript('x'))
    const deployToken = (await deployed.json<{ token: string }>()).token
    const revoke = await signUp()
    await platform(`/api/account/tokens/${revoke.token.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${revoke.token.value}` },
    })
    for (const wrong of [
      `at_${'0'.repeat(16)}_${'A'.repeat(43)}`,
      'at_nonsense',
      revoke.token.value,
      'dt_nonsense',
      '',
    ]) {
      const res = await form('/signin', { token: wrong, worker: name })
      expect(res.status).toBe(401)
      expect(res.headers.get('set-cookie')).toBeNull()
      const html = await res.text()
      expect(html).toContain(REFUSED)
      expect(html).toContain(`name="worker" value="${name}"`)
      if (wrong) expect(html).not.toContain(wrong)
    }
    // A worker's deploy token, with another worker's name: the same answer.
    const otherName = uniqueName('sess')
    expect((await putScript(otherName, helloScript('y'))).status).toBe(201)
    const mismatched = await form('/signin', { token: deployToken, worker: otherName })
    expect(mismatched.status).toBe(401)
    expect(await mismatched.text()).toContain(REFUSED)
    // A good token with a worker goes back to that worker's page.
    const res = await form('/signin', { token: token.value, worker: name })
    expect(res.headers.get('location')).toBe(`/workers/${name}`)
  })

  it('refuses a cross-site sign-in and sign-out', async () => {
    const { token } = await signUp()
    const res = await platform('/signin', {
      method: 'POST',
      headers: { Origin: 'https://evil.example' },
      body: new URLSearchParams({ token: token.value }),
    })
    expect(res.status).toBe(403)
    expect(res.headers.get('set-cookie')).toBeNull()
    const cookie = await signIn(token.value)
    const out = await platform('/signout', {
      method: 'POST',
      headers: { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' },
    })
    expect(out.status).toBe(403)
    expect(await (await page('/', cookie)).text()).toContain('Sign out')
  })

  it('shows the account and "Your workers"; the worker page acts without token fields', async () => {
    const { token } = await signUp('Owner Ltd')
    const name = uniqueName('sess')
    expect((await putScript(name, helloScript('v1'), token.value)).status).toBe(201)
    expect((await putScript(name, helloScript('v2'), token.value)).status).toBe(200)
    const other = uniqueName('sess')
    const otherDeploy = await (await putScript(other, helloScript('theirs'))).json<{ token: string }>()
    const signedOut = await (await platform('/')).text()
    expect(signedOut).toContain('href="/signin"')
    expect(signedOut).not.toContain('id="account-workers"')

    const cookie = await signIn(token.value)
    const home = await page('/', cookie)
    expect(home.headers.get('cache-control')).toBe('no-store')
    const html = await home.text()
    expect(html).toContain('Owner Ltd')
    expect(html).toContain('action="/signout"')
    expect(html).not.toContain('href="/signin"')
    const own = html.slice(html.indexOf('id="account-workers"'), html.indexOf('id="all-workers"'))
    expect(own).toContain(`/workers/${name}`)
    expect(own).not.toContain(`/workers/${other}`)

    // Its own worker: no token field in any form, and every action works.
    const workerPage = await (await page(`/workers/${name}`, cookie)).text()
    expect(workerPage).not.toMatch(/name="token"/)
    // Live logs read the page's own route with the session, not /api with a token.
    expect(workerPage).toContain(`data-follow-logs="/workers/${name}/logs/live"`)
    // Another's worker: the fields stay.
    expect(await (await page(`/workers/${other}`, cookie)).text()).toMatch(/name="token"/)

    const first = workerPage.match(/name="deployment"[^>]*value="([^"]+)"/)?.[1]
    expect(first).toBeDefined()
    const promoted = await form(`/workers/${name}/promote`, { deployment: first! }, cookie)
    expect(promoted.status).toBe(303)
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('v1')
    const logs = await form(`/workers/${name}/logs`, {}, cookie)
    expect(logs.status).toBe(200)
    expect(await logs.text()).toContain('Refresh logs')

    // Upload form: new version loads the private code with the session, and deploys without a token.
    const upload = await (await page(`/upload?name=${name}`, cookie)).text()
    expect(upload).not.toMatch(/name="token"/)
    expect(upload).toContain('v1')
    const body = new FormData()
    body.append('name', name)
    body.append('script', helloScript('v3'))
    const deployed = await platform('/upload', { method: 'POST', headers: { Cookie: cookie }, body })
    expect(deployed.status).toBe(303)
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('v3')
    // A token typed in the form still wins: the other's worker with its deploy token.
    const theirs = await form(`/workers/${other}/logs`, { token: otherDeploy.token }, cookie)
    expect(theirs.status).toBe(200)
    // Without it, the session does not reach another's worker.
    expect((await form(`/workers/${other}/delete`, {}, cookie)).status).toBe(403)

    const deleted = await form(`/workers/${name}/delete`, {}, cookie)
    expect(deleted.status).toBe(200)
    expect((await platform(`/api/workers/${name}`)).status).toBe(404)
  })

  it('signed out, nothing changes: token fields are there and a form without one is refused', async () => {
    const { token } = await signUp()
    const name = uniqueName('sess')
    expect((await putScript(name, helloScript('v1'), token.value)).status).toBe(201)
    expect(await (await platform(`/workers/${name}`)).text()).toMatch(/name="token"/)
    expect(await (await platform('/upload')).text()).toMatch(/name="token"/)
    expect((await form(`/workers/${name}/delete`, {})).status).toBe(403)
    // A cookie that names no session acts as signed out.
    const bogus = `wfp_session=s_${token.value.slice(3, 19)}_${'B'.repeat(43)}`
    expect((await form(`/workers/${name}/delete`, {}, bogus)).status).toBe(403)
    expect(await (await page('/', bogus)).text()).toContain('href="/signin"')
  })

  it('sign-out ends the session server-side: the old cookie is refused afterwards', async () => {
    const { token } = await signUp()
    const name = uniqueName('sess')
    expect((await putScript(name, helloScript('v1'), token.value)).status).toBe(201)
    const cookie = await signIn(token.value)
    const out = await platform('/signout', { method: 'POST', headers: { Cookie: cookie } })
    expect(out.status).toBe(303)
    expect(out.headers.get('set-cookie')).toBe('wfp_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0')
    // The same cookie, sent again (as a copy kept elsewhere would be): signed out.
    expect(await (await page('/', cookie)).text()).toContain('href="/signin"')
    expect((await form(`/workers/${name}/delete`, {}, cookie)).status).toBe(403)
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('v1')
  })

  it('revoking the token ends its sessions at once, not the sessions of other tokens', async () => {
    const { token } = await signUp()
    const second = await (
      await platform('/api/account/tokens', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.value}` },
        body: JSON.stringify({ name: 'laptop' }),
      })
    ).json<{ id: string; value: string }>()
    const name = uniqueName('sess')
    expect((await putScript(name, helloScript('v1'), token.value)).status).toBe(201)
    const viaSecond = await signIn(second.value)
    const viaFirst = await signIn(token.value)
    await platform(`/api/account/tokens/${second.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token.value}` },
    })
    expect(await (await page('/', viaSecond)).text()).toContain('href="/signin"')
    expect((await form(`/workers/${name}/delete`, {}, viaSecond)).status).toBe(403)
    expect(await (await page('/', viaFirst)).text()).toContain('action="/signout"')
  })

  it('an expired session is refused (and forgotten)', async () => {
    const { token } = await signUp()
    const cookie = await signIn(token.value)
    const value = cookie.slice(cookie.indexOf('=') + 1)
    const at = (offset: number) =>
      new Accounts({
        accounts: env.ACCOUNTS,
        index: new AccountIndex(env.WORKER_MAPPINGS),
        now: () => Date.now() + offset,
      })
    expect(await at(SESSION_TTL_MS - 60_000).session(value)).not.toBeNull()
    expect(await at(SESSION_TTL_MS + 1).session(value)).toBeNull()
    // Expired sessions are deleted when met: the value is refused now too.
    expect(await at(0).session(value)).toBeNull()
    expect(await (await page('/', cookie)).text()).toContain('href="/signin"')
  })

  it('the API never takes the session cookie', async () => {
    const { token } = await signUp()
    const name = uniqueName('sess')
    expect((await putScript(name, helloScript('v1'), token.value)).status).toBe(201)
    const cookie = await signIn(token.value)
    const res = await platform(`/api/workers/${name}`, { method: 'DELETE', headers: { Cookie: cookie } })
    expect(res.status).toBe(403)
    expect((await platform('/api/account', { headers: { Cookie: cookie } })).status).toBe(401)
  })

  it("follows a worker's logs live with the session; without one (or for another's worker) it is refused as JSON", async () => {
    const { token } = await signUp()
    const name = uniqueName('sess')
    const logging = "export default { fetch() { console.log('live via session'); return new Response('ok') } }"
    expect((await putScript(name, logging, token.value)).status).toBe(201)
    const other = uniqueName('sess')
    expect((await putScript(other, helloScript('theirs'))).status).toBe(201)
    const cookie = await signIn(token.value)
    const accept = { Accept: 'text/event-stream' }

    const live = await platform(`/workers/${name}/logs/live`, { headers: { ...accept, Cookie: cookie } })
    expect(live.status).toBe(200)
    expect(live.headers.get('content-type')).toContain('text/event-stream')
    expect(live.headers.get('cache-control')).toBe('no-store')
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('ok')
    const reader = live.body!.pipeThrough(new TextDecoderStream()).getReader()
    let received = ''
    while (!received.includes('live via session')) {
      const { value, done } = await reader.read()
      if (done) break
      received += value
    }
    await reader.cancel()
    expect(received).toMatch(/^event: capture\n/)
    expect(received).toContain('live via session')

    for (const [path, headers, status] of [
      [`/workers/${name}/logs/live`, accept, 401],
      [`/workers/${other}/logs/live`, { ...accept, Cookie: cookie }, 403],
    ] as const) {
      const refused = await platform(path, { headers })
      expect(refused.status).toBe(status)
      expect(refused.headers.get('content-type')).toContain('application/json')
      expect((await refused.json<{ error: { message: string } }>()).error.message).toMatch(/token/i)
    }
  })

  it("shows a signed-in owner the worker's token and account history; signed out, the page has none", async () => {
    const { token } = await signUp()
    const name = uniqueName('sess')
    expect((await putScript(name, helloScript('v1'), token.value)).status).toBe(201)
    const rotated = await platform(`/api/workers/${name}/token`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token.value}` },
    })
    expect(rotated.status).toBe(200)
    const cookie = await signIn(token.value)
    const html = await (await page(`/workers/${name}`, cookie)).text()
    const history = html.slice(html.indexOf('id="owner-history-heading"'), html.indexOf('id="delete-heading"'))
    expect(history).toContain('Tokens and account')
    expect(history).toContain('The deploy token was rotated by an API token of its account')
    expect(await (await platform(`/workers/${name}`)).text()).not.toContain('owner-history-heading')
  })

  it('GET /signin renders the form', async () => {
    const html = await (await platform('/signin?worker=abc')).text()
    expect(html).toMatch(/<form[^>]*method="post"[^>]*action="\/signin"/)
    expect(html).toMatch(/<input[^>]*type="password"[^>]*name="token"/)
    expect(html).toContain('name="worker" value="abc"')
    expect(html).toContain('12 hours')
  })

  it('signs in with a deploy token for its worker: no token fields there, "Your workers" is that one', async () => {
    const name = uniqueName('sess')
    const { token } = await (await putScript(name, helloScript('v1'))).json<{ token: string }>()
    expect((await putScript(name, helloScript('v2'), token)).status).toBe(200)
    const other = uniqueName('sess')
    expect((await putScript(other, helloScript('o'))).status).toBe(201)

    expect((await form('/signin', { token })).status).toBe(400)
    const res = await form('/signin', { token, worker: name })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/workers/${name}`)
    const setCookie = res.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(
      new RegExp(`^wfp_session=s_w_${name}_[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax; Max-Age=`),
    )
    expect(setCookie).not.toContain(token)
    const cookie = setCookie.split(';', 1)[0]!

    const home = await (await page('/', cookie)).text()
    expect(home).toContain(`${name} (deploy token)`)
    const own = home.slice(home.indexOf('id="account-workers"'), home.indexOf('id="all-workers"'))
    expect(own).toContain(`/workers/${name}`)
    expect(own).not.toContain(`/workers/${other}`)
    const workerPage = await (await page(`/workers/${name}`, cookie)).text()
    expect(workerPage).not.toMatch(/name="token"/)
    expect(await (await page(`/workers/${other}`, cookie)).text()).toMatch(/name="token"/)
    expect(await (await page(`/upload?name=${name}`, cookie)).text()).not.toMatch(/name="token"/)
    // A new name: the form keeps its token field (the session is for one worker).
    expect(await (await page('/upload', cookie)).text()).toMatch(/name="token"/)

    const first = workerPage.match(/name="deployment"[^>]*value="([^"]+)"/)?.[1]
    expect((await form(`/workers/${name}/promote`, { deployment: first! }, cookie)).status).toBe(303)
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('v1')
    expect((await form(`/workers/${name}/logs`, {}, cookie)).status).toBe(200)
    expect((await form(`/workers/${other}/delete`, {}, cookie)).status).toBe(403)
  })

  it('rotating the deploy token ends its sessions; signing out ends one server-side', async () => {
    const name = uniqueName('sess')
    const { token } = await (await putScript(name, helloScript('v1'))).json<{ token: string }>()
    const signIn = async () =>
      ((await form('/signin', { token, worker: name })).headers.get('set-cookie') ?? '').split(';', 1)[0]!
    const [kept, left] = [await signIn(), await signIn()]
    const out = await platform('/signout', { method: 'POST', headers: { Cookie: left } })
    expect(out.headers.get('set-cookie')).toBe('wfp_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0')
    expect(await (await page(`/workers/${name}`, left)).text()).toMatch(/name="token"/)
    expect(await (await page(`/workers/${name}`, kept)).text()).not.toMatch(/name="token"/)

    const rotated = await platform(`/api/workers/${name}/token`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(rotated.status).toBe(200)
    expect(await (await page('/', kept)).text()).toContain('href="/signin"')
    expect((await form(`/workers/${name}/delete`, {}, kept)).status).toBe(403)
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('v1')
  })

  it('counts refused sign-ins against the client (AUTH_FAILURE_LIMITER): 429 past it, a right token still works', async () => {
    const { token } = await signUp()
    const limited = { AUTH_FAILURE_LIMITER: env.STRICT_AUTH_FAILURE_LIMITER }
    const signInAs = (value: string) =>
      platformWith(limited, '/signin', {
        method: 'POST',
        headers: { 'CF-Connecting-IP': '198.51.100.77' },
        body: new URLSearchParams({ token: value }),
      })
    for (let i = 0; i < 3; i++) expect((await signInAs(`at_${'2'.repeat(16)}_${'C'.repeat(43)}`)).status).toBe(401)
    const over = await signInAs('at_nonsense')
    expect(over.status).toBe(429)
    expect(over.headers.get('retry-after')).toBe('60')
    expect(over.headers.get('set-cookie')).toBeNull()
    expect((await signInAs(token.value)).status).toBe(303)
  })
})
