import { describe, expect, it } from 'vitest'
import { MAX_LABEL_LENGTH } from '../../src/accounts/tokens'
import { helloScript, platform, putScript, uniqueName } from '../helpers'

const REFUSED = 'That token is not valid: it is unknown, or it was revoked.'

function form(path: string, fields: Record<string, string>, cookie?: string, headers: Record<string, string> = {}) {
  return platform(path, {
    method: 'POST',
    headers: { ...headers, ...(cookie ? { Cookie: cookie } : {}) },
    body: new URLSearchParams(fields),
  })
}
const page = (path: string, cookie?: string) => platform(path, cookie ? { headers: { Cookie: cookie } } : undefined)
const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';', 1)[0]!
/** The API token a page shows once, in its read-only box. */
const shownToken = (html: string) => /<textarea id="issued-token"[^>]*>\s*(at_[^<\s]+)\s*</.exec(html)?.[1]

/** Signs up through the form: the session cookie and the first API token the page showed. */
async function signUp(name = 'Form Co'): Promise<{ cookie: string; token: string; html: string }> {
  const res = await form('/signup', { name })
  expect(res.status).toBe(201)
  const html = await res.text()
  const token = shownToken(html)
  expect(token).toMatch(/^at_[0-9a-f]{16}_/)
  return { cookie: cookieOf(res), token: token!, html }
}

describe('the account in the console', () => {
  it('signs up with a form: signed in at once, the first API token shown once and working', async () => {
    const signUpForm = await (await page('/signup')).text()
    expect(signUpForm).toMatch(/<form[^>]*method="post"[^>]*action="\/signup"/)
    expect(signUpForm).toContain(`maxlength="${MAX_LABEL_LENGTH}"`)
    expect(await (await page('/signin')).text()).toContain('href="/signup"')

    const res = await form('/signup', { name: 'Form Co' })
    expect(res.headers.get('cache-control')).toBe('no-store')
    const cookie = res.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^wfp_session=s_[0-9a-f]{16}_[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; /)
    const html = await res.text()
    const token = shownToken(html)!
    expect(cookie).not.toContain(token)
    expect(html).toContain('Save your API token now')
    expect(html).toContain('Form Co')
    expect((await platform('/api/account', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200)

    // The account page, later: the token listed by name, never its value again.
    const later = await (await page('/account', cookieOf(res))).text()
    expect(later).toContain('first token')
    expect(later).not.toContain(token)
    expect(later).toContain('href="/account"')
  })

  it('names the field of a bad account name, keeps what was typed, and signs no one in', async () => {
    const typed = 'x'.repeat(MAX_LABEL_LENGTH + 1)
    const res = await form('/signup', { name: typed })
    expect(res.status).toBe(400)
    expect(res.headers.get('set-cookie')).toBeNull()
    const html = await res.text()
    expect(html).toContain(`&quot;name&quot; must be a name of 1 to ${MAX_LABEL_LENGTH} characters.`)
    expect(html).toContain(`value="${typed}"`)
  })

  it('issues a token (shown once) and revokes one: refused at once, noted in each worker, sessions ended', async () => {
    const { cookie, token: first } = await signUp()
    const name = uniqueName('acctpage')
    expect((await putScript(name, helloScript('x'), first)).status).toBe(201)

    const issuedPage = await form('/account/tokens', { name: 'ci' }, cookie)
    expect(issuedPage.status).toBe(201)
    const second = shownToken(await issuedPage.text())!
    expect((await putScript(name, helloScript('y'), second)).status).toBe(200)
    const blank = await form('/account/tokens', { name: '   ' }, cookie)
    expect(blank.status).toBe(400)
    expect(await blank.text()).toContain('must be a name')

    const { tokens } = await (
      await platform('/api/account', { headers: { Authorization: `Bearer ${first}` } })
    ).json<{ tokens: { id: string; name: string }[] }>()
    const ci = tokens.find((token) => token.name === 'ci')!
    const revoked = await form(`/account/tokens/${ci.id}/revoke`, {}, cookie)
    expect(revoked.status).toBe(303)
    expect(revoked.headers.get('location')).toBe(`/account?revoked=${ci.id}`)
    const after = await (await page(revoked.headers.get('location')!, cookie)).text()
    expect(after).toContain(`Token ${ci.id} is refused from now on`)
    const refused = await putScript(name, helloScript('z'), second)
    expect(refused.status).toBe(401)
    expect((await refused.json<{ error: { message: string } }>()).error.message).toBe(REFUSED)
    const history = await (
      await platform(`/api/workers/${name}/history`, { headers: { Authorization: `Bearer ${first}` } })
    ).json<{ events: { message: string }[] }>()
    expect(history.events.map((event) => event.message)).toContain(`API token ${ci.id} of its account was revoked.`)

    // Revoking the token the session was opened with signs it out.
    const own = tokens.find((token) => token.name === 'first token')!
    expect((await form(`/account/tokens/${own.id}/revoke`, {}, cookie)).status).toBe(303)
    const signedOut = await page('/account', cookie)
    expect(signedOut.status).toBe(303)
    expect(signedOut.headers.get('location')).toBe('/signin')
  })

  it('is for an account session only: signed out, a deploy token, another site', async () => {
    expect((await page('/account')).headers.get('location')).toBe('/signin')
    expect((await form('/account/tokens', { name: 'x' })).status).toBe(401)

    const name = uniqueName('acctpage')
    const { token } = await (await putScript(name, helloScript('x'))).json<{ token: string }>()
    const signedIn = await form('/signin', { token, worker: name })
    const workerCookie = cookieOf(signedIn)
    expect((await page('/account', workerCookie)).status).toBe(403)
    expect((await form('/account/tokens', { name: 'x' }, workerCookie)).status).toBe(403)

    const { cookie } = await signUp()
    const crossSite = await form('/account/tokens', { name: 'x' }, cookie, { 'Sec-Fetch-Site': 'cross-site' })
    expect(crossSite.status).toBe(403)
    expect((await form('/signup', { name: 'x' }, undefined, { Origin: 'https://evil.example' })).status).toBe(403)
  })
})
