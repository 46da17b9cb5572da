import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { helloScript, platform, platformWith, putScript, uniqueName } from '../helpers'

// The admin page (docs/operators.md#admin-page): sign in once with ADMIN_TOKEN, then list and
// search workers and accounts, suspend, resume, set a budget and delete, without the token again.

const ADMIN = 'admin-token-for-the-admin-page-0123456789abcdef'
const withAdmin = { ADMIN_TOKEN: ADMIN }
const page = (path: string, init: RequestInit = {}) => platformWith(withAdmin, path, init)
const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  page(path, { method: 'POST', headers, body: new URLSearchParams(fields) })

/** Signs in and returns the Cookie header of the admin session. */
async function signIn(): Promise<string> {
  const res = await form('/admin/signin', { token: ADMIN, next: '/admin' })
  expect(res.status).toBe(303)
  const setCookie = res.headers.get('set-cookie') ?? ''
  return setCookie.split(';')[0]!
}

const asAdmin = async () => {
  const cookie = await signIn()
  return {
    get: (path: string) => page(path, { headers: { Cookie: cookie } }),
    post: (path: string, fields: Record<string, string> = {}) => form(path, fields, { Cookie: cookie }),
  }
}

async function deploy(prefix: string, tags: string[] = []): Promise<string> {
  const name = uniqueName(prefix)
  const res = await platform(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ script: 'export default { fetch: () => new Response("up") }', tags }),
  })
  expect(res.status).toBe(201)
  return name
}

describe('the admin page: its session', () => {
  it('shows the sign-in form signed out, and refuses every change unmade', async () => {
    const signedOut = await page('/admin')
    expect(signedOut.status).toBe(200)
    const html = await signedOut.text()
    expect(html).toContain('Sign in as the operator')
    expect(html).not.toContain('All workers')
    const name = await deploy('adm-out')
    expect((await page(`/admin/workers/${name}`)).status).toBe(401)
    const refused = await form(`/admin/workers/${name}/suspend`, { reason: 'no session' })
    expect(refused.status).toBe(401)
    expect(await refused.text()).toContain('Your admin session has ended')
    expect((await platform(`/user-workers/${name}/`)).status).toBe(200)
  })

  it('signs in with ADMIN_TOKEN: a Strict, HttpOnly cookie for an hour, back to the page asked for', async () => {
    const res = await form('/admin/signin', { token: ADMIN, next: '/admin/accounts' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/admin/accounts')
    const setCookie = res.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(/^wfp_admin=\d+\.[\w-]{43}; /)
    expect(setCookie).toContain('HttpOnly')
    expect(setCookie).toContain('SameSite=Strict')
    expect(setCookie).toContain('Max-Age=3600')
    // Anywhere else than an admin page is not a place to go back to.
    const elsewhere = await form('/admin/signin', { token: ADMIN, next: '//evil.example/admin' })
    expect(elsewhere.headers.get('location')).toBe('/admin')
    const cookie = setCookie.split(';')[0]!
    expect(await (await page('/admin', { headers: { Cookie: cookie } })).text()).toContain('All workers')
  })

  it('refuses a wrong token with 403, counted against the client like any refused credential', async () => {
    const limited = { ...withAdmin, AUTH_FAILURE_LIMITER: env.STRICT_AUTH_FAILURE_LIMITER }
    const attempt = (token: string) =>
      platformWith(limited, '/admin/signin', {
        method: 'POST',
        // Its own address: the strict limiter's counts are shared with every other test file.
        headers: { 'CF-Connecting-IP': '198.51.100.91' },
        body: new URLSearchParams({ token, next: '/admin' }),
      })
    for (let i = 0; i < 3; i++) {
      const wrong = await attempt(`wrong-${i}`)
      expect(wrong.status).toBe(403)
      expect(wrong.headers.get('set-cookie')).toBeNull()
      expect(await wrong.text()).toContain('That is not the admin token')
    }
    expect((await attempt('wrong-again')).status).toBe(429)
    // The right token still works from that address.
    expect((await attempt(ADMIN)).status).toBe(303)
  })

  it('refuses a forged cookie, and one signed under another ADMIN_TOKEN (rotating it ends every session)', async () => {
    const cookie = await signIn()
    const [name, value] = cookie.split('=') as [string, string]
    const [expiry] = value.split('.')
    const later = `${name}=${Number(expiry) + 3_600_000}.${value.split('.')[1]}`
    for (const forged of [later, `${name}=${expiry}.${'A'.repeat(43)}`, `${name}=garbage`]) {
      expect(await (await page('/admin', { headers: { Cookie: forged } })).text()).toContain('Sign in as the operator')
    }
    const rotated = await platformWith({ ADMIN_TOKEN: `${ADMIN}-rotated` }, '/admin', { headers: { Cookie: cookie } })
    expect(await rotated.text()).toContain('Sign in as the operator')
  })

  it('signs out: the cookie is cleared', async () => {
    const cookie = await signIn()
    const res = await page('/admin/signout', { method: 'POST', headers: { Cookie: cookie } })
    expect(res.status).toBe(303)
    expect(res.headers.get('set-cookie')).toContain('wfp_admin=; ')
    expect(res.headers.get('set-cookie')).toContain('Max-Age=0')
  })

  it('refuses a post from another site', async () => {
    const cookie = await signIn()
    const name = await deploy('adm-csrf')
    const res = await page(`/admin/workers/${name}/suspend`, {
      method: 'POST',
      headers: { Origin: 'https://evil.example', Cookie: cookie },
      body: new URLSearchParams({ reason: 'csrf' }),
    })
    expect(res.status).toBe(403)
    expect(await (await page(`/admin/workers/${name}`, { headers: { Cookie: cookie } })).text()).toContain('Serving')
  })
})

describe('the admin page: workers', () => {
  it('searches by part of a name and by tag, with status and tags', async () => {
    const admin = await asAdmin()
    const tag = uniqueName('promo')
    const tagged = await deploy('adm-tagged', [tag])
    const other = await deploy('adm-other')
    const byName = await (await admin.get(`/admin?q=${other.slice(4)}`)).text()
    expect(byName).toContain(`href="/admin/workers/${other}"`)
    expect(byName).not.toContain(`href="/admin/workers/${tagged}"`)
    const byTag = await (await admin.get(`/admin?tag=${tag}`)).text()
    expect(byTag).toContain(`href="/admin/workers/${tagged}"`)
    expect(byTag).not.toContain(`href="/admin/workers/${other}"`)
    expect(byTag).toContain(`<a href="/admin?tag=${tag}">${tag}</a>`)
    expect(byTag).toContain('Serving')
  })

  it('suspends with a reason and resumes from the page; a refused change keeps what was typed', async () => {
    const admin = await asAdmin()
    const name = await deploy('adm-susp')
    const empty = await admin.post(`/admin/workers/${name}/suspend`, { reason: '   ' })
    expect(empty.status).toBe(400)
    expect(await empty.text()).toContain('Give a reason')
    expect((await platform(`/user-workers/${name}/`)).status).toBe(200)

    const suspended = await admin.post(`/admin/workers/${name}/suspend`, { reason: 'abuse report #7' })
    expect(suspended.status).toBe(303)
    expect(suspended.headers.get('location')).toBe(`/admin/workers/${name}?done=suspend`)
    expect((await platformWith({}, `/user-workers/${name}/`)).status).toBe(503)
    const shown = await (await admin.get(`/admin/workers/${name}?done=suspend`)).text()
    expect(shown).toContain('abuse report #7')
    expect(shown).toContain(`Resume ${name}`)

    expect((await admin.post(`/admin/workers/${name}/resume`)).status).toBe(303)
    expect((await platformWith({}, `/user-workers/${name}/`)).status).toBe(200)
  })

  it("sets a worker's budget, refusing what is not a number with the value kept", async () => {
    const admin = await asAdmin()
    const name = await deploy('adm-budget')
    const wrong = await admin.post(`/admin/workers/${name}/budget`, { requestsPerDay: '12abc' })
    expect(wrong.status).toBe(400)
    expect(await wrong.text()).toContain('value="12abc"')
    expect((await admin.post(`/admin/workers/${name}/budget`, { requestsPerDay: '5' })).status).toBe(303)
    expect(await (await admin.get(`/admin/workers/${name}`)).text()).toContain('5 a day')
  })

  it('deletes a worker only once its name is typed, through the platform’s own delete', async () => {
    const admin = await asAdmin()
    const name = await deploy('adm-del')
    expect(await (await admin.get(`/admin/workers/${name}/delete`)).text()).toContain('Type its name to confirm')
    const wrong = await admin.post(`/admin/workers/${name}/delete`, { confirm: 'not-it' })
    expect(wrong.status).toBe(400)
    expect(await wrong.text()).toContain('value="not-it"')
    expect((await platform(`/api/workers/${name}`)).status).toBe(200)
    const done = await admin.post(`/admin/workers/${name}/delete`, { confirm: name })
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe(`/admin?deleted=${name}`)
    expect((await platform(`/api/workers/${name}`)).status).toBe(404)
    expect((await admin.get(`/admin/workers/${name}`)).status).toBe(404)
  })

  it('lets the delete-by-tag page use the session: no token field', async () => {
    const admin = await asAdmin()
    const html = await (await admin.get('/admin/tags')).text()
    expect(html).not.toContain('name="token"')
    expect(html).toContain('Sign out of admin')
    const tag = uniqueName('bytag')
    const name = await deploy('adm-bytag', [tag])
    expect(await (await admin.post('/admin/tags', { tag })).text()).toContain(`<a href="/workers/${name}">${name}</a>`)
    expect(await (await page('/admin/tags')).text()).toContain('name="token"')
  })
})

describe('the admin page: accounts', () => {
  it('lists accounts from the index, shows a worker’s account, and suspends and resumes one', async () => {
    const admin = await asAdmin()
    const accountName = uniqueName('Acme')
    const created = await platform('/api/accounts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: accountName }),
    })
    const { account, token } = await created.json<{ account: { accountId: string }; token: { value: string } }>()
    const worker = uniqueName('adm-acct')
    expect((await putScript(worker, helloScript('hi'), token.value)).status).toBe(201)

    const { accountId } = account
    let listed = ''
    for (let cursor: string | undefined, i = 0; i < 20 && !listed.includes(accountName); i++) {
      const html = await (await admin.get(`/admin/accounts${cursor ? `?cursor=${cursor}` : ''}`)).text()
      listed += html
      cursor = /\/admin\/accounts\?cursor=([^"]+)"/.exec(html)?.[1]
      if (!cursor) break
    }
    expect(listed).toContain(`<a href="/admin/accounts/${accountId}">${accountName}</a>`)
    expect(await (await admin.get(`/admin?q=${worker}`)).text()).toContain(`href="/admin/accounts/${accountId}"`)

    const empty = await admin.post(`/admin/accounts/${accountId}/suspend`, { reason: '' })
    expect(empty.status).toBe(400)
    const suspended = await admin.post(`/admin/accounts/${accountId}/suspend`, { reason: 'unpaid' })
    expect(suspended.status).toBe(303)
    const shown = await (await admin.get(suspended.headers.get('location')!)).text()
    expect(shown).toContain('Suspended, with 1 of its workers.')
    expect(shown).toContain('unpaid')
    expect((await platformWith({}, `/user-workers/${worker}/`)).status).toBe(503)
    expect((await admin.post(`/admin/accounts/${accountId}/resume`)).status).toBe(303)
    expect((await platformWith({}, `/user-workers/${worker}/`)).status).toBe(200)
    expect((await admin.get('/admin/accounts/0000000000000000')).status).toBe(404)
  })

  it('brings an account the index does not have (made before it) into it at its next deploy', async () => {
    const admin = await asAdmin()
    const created = await platform('/api/accounts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: uniqueName('Older') }),
    })
    const { account, token } = await created.json<{ account: { accountId: string }; token: { value: string } }>()
    await env.WORKER_MAPPINGS.delete(`accounts/${account.accountId}`)
    const before = await (await admin.get('/admin/accounts')).text()
    expect(before).not.toContain(account.accountId)
    expect((await putScript(uniqueName('adm-older'), helloScript('hi'), token.value)).status).toBe(201)
    expect(await (await admin.get('/admin/accounts')).text()).toContain(`/admin/accounts/${account.accountId}"`)
  })
})
