// The platform's cookies (src/core/cookies.ts: wfp_…, __Host-wfp_…) never reach a tenant: stripped
// from every request forwarded to a user Worker — shared origin, host routing, preview links — and a
// tenant cannot set one. Its own cookies pass as they are.
import { describe, expect, it } from 'vitest'
import { previewId } from '../../src/core/urls'
import { deployNew, platform, platformWith, uniqueName } from '../helpers'

/** Answers with the Cookie header it received (null when none), and sets the cookies ?set= names. */
const COOKIE_ECHO = `export default {
  async fetch(request) {
    const headers = new Headers();
    for (const cookie of new URL(request.url).searchParams.getAll("set")) headers.append("set-cookie", cookie);
    return Response.json({ cookie: request.headers.get("cookie") }, { headers });
  },
};`

const SENT = 'own=1; wfp_session=secret; theme="dark"; __Host-wfp_session=secret2; WFP_other=x; last=a=b'
const TENANT_ONLY = 'own=1; theme="dark"; last=a=b'

const domain = { USER_WORKERS_DOMAIN: 'workers.test' }
const cookieOf = async (res: Response) => (await res.json<{ cookie: string | null }>()).cookie
const withCookie = (cookie: string): RequestInit => ({ headers: { Cookie: cookie } })

describe("the platform's cookies are stripped from requests to user Workers", () => {
  it('on the shared origin: the tenant’s own cookies pass in order, the platform’s never', async () => {
    const name = uniqueName('cookie-echo')
    await deployNew(name, COOKIE_ECHO)
    expect(await cookieOf(await platform(`/user-workers/${name}/a`, withCookie(SENT)))).toBe(TENANT_ONLY)
    expect(await cookieOf(await platform(`/user-workers/${name}`, withCookie('wfp_session=secret')))).toBeNull()
    expect(await cookieOf(await platform(`/user-workers/${name}`, withCookie('own=1; other=2')))).toBe('own=1; other=2')
    expect(await cookieOf(await platform(`/user-workers/${name}`))).toBeNull()
  })

  it('under host routing (defence in depth: a host-only platform cookie should not arrive there)', async () => {
    const name = uniqueName('cookie-host')
    await deployNew(name, COOKIE_ECHO)
    const own = await platformWith(domain, `http://${name}.workers.test/`, withCookie(SENT))
    expect(await cookieOf(own)).toBe(TENANT_ONLY)
    const only = await platformWith(domain, `http://${name}.workers.test/`, withCookie('__Host-wfp_session=s'))
    expect(await cookieOf(only)).toBeNull()
  })

  it('through preview links, on the shared origin and on their own host', async () => {
    const name = uniqueName('cookie-preview')
    const { workerId } = await deployNew(name, COOKIE_ECHO)
    const id = previewId(workerId)
    expect(await cookieOf(await platform(`/user-workers/${name}@${id}/`, withCookie(SENT)))).toBe(TENANT_ONLY)
    const host = await platformWith(domain, `http://${id}--preview.workers.test/`, withCookie(SENT))
    expect(await cookieOf(host)).toBe(TENANT_ONLY)
  })
})

describe('a user Worker cannot set a platform cookie', () => {
  const setting = (cookies: string[]) => `?${cookies.map((cookie) => `set=${encodeURIComponent(cookie)}`).join('&')}`

  it('on the shared origin (its Set-Cookie never lands on the platform’s host)', async () => {
    const name = uniqueName('cookie-set')
    const { workerId } = await deployNew(name, COOKIE_ECHO)
    const query = setting(['wfp_session=forged; Path=/', '__Host-wfp_session=forged; Secure; Path=/'])
    for (const path of [`/user-workers/${name}/${query}`, `/user-workers/${name}@${previewId(workerId)}/${query}`]) {
      const res = await platform(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.getSetCookie(), path).toEqual([])
    }
  })

  it('under host routing its platform-named cookies are dropped and its own kept', async () => {
    const name = uniqueName('cookie-set-host')
    await deployNew(name, COOKIE_ECHO)
    const query = setting(['own=1; Path=/', '__Host-wfp_session=forged; Secure; Path=/', 'wfp_x=2', 'next=3'])
    const res = await platformWith(domain, `http://${name}.workers.test/${query}`)
    expect(res.headers.getSetCookie()).toEqual(['own=1; Path=/', 'next=3'])
  })
})
