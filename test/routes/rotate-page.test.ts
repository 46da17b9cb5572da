import { describe, expect, it } from 'vitest'
import { helloScript, platform, putScript, uniqueName } from '../helpers'

const rotate = (name: string, fields: Record<string, string>, cookie?: string) =>
  platform(`/workers/${name}/token`, {
    method: 'POST',
    headers: cookie ? { Cookie: cookie } : {},
    body: new URLSearchParams(fields),
  })
/** The deploy token the page shows once, in its read-only box. */
const shownToken = (html: string) => /<textarea id="deploy-token"[^>]*>\s*(dt_[^<\s]+)\s*</.exec(html)?.[1]

describe('rotating a deploy token on the worker page', () => {
  it('with the token typed: the new one shown once, the old one refused at once', async () => {
    const name = uniqueName('rotpage')
    const { token: old } = await (await putScript(name, helloScript('v1'))).json<{ token: string }>()
    const page = await (await platform(`/workers/${name}`)).text()
    expect(page).toMatch(new RegExp(`<form[^>]*action="/workers/${name}/token"`))

    const res = await rotate(name, { token: old })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const html = await res.text()
    expect(html).toContain('Rotated.')
    const fresh = shownToken(html)
    expect(fresh).toMatch(/^dt_/)
    expect(fresh).not.toBe(old)
    expect((await putScript(name, helloScript('v2'), old)).status).toBe(401)
    expect((await putScript(name, helloScript('v2'), fresh)).status).toBe(200)
    // Shown once: the worker page itself never shows it again.
    expect(await (await platform(`/workers/${name}`)).text()).not.toContain(fresh!)
  })

  it('refuses a wrong token next to the form, and rotates without one for the signed-in account', async () => {
    const name = uniqueName('rotpage')
    const account = await (
      await platform('/api/accounts', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Rotators' }),
      })
    ).json<{ token: { value: string } }>()
    expect((await putScript(name, helloScript('v1'), account.token.value)).status).toBe(201)

    const wrong = await rotate(name, { token: 'dt_wrong' })
    expect(wrong.status).toBe(401)
    const refusedPage = await wrong.text()
    expect(refusedPage).toContain('That token is not valid')
    expect(shownToken(refusedPage)).toBeUndefined()

    const signIn = await platform('/signin', {
      method: 'POST',
      body: new URLSearchParams({ token: account.token.value }),
    })
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';', 1)[0]!
    const res = await rotate(name, {}, cookie)
    expect(res.status).toBe(200)
    const fresh = shownToken(await res.text())!
    expect((await putScript(name, helloScript('v2'), fresh)).status).toBe(200)
    const history = await (
      await platform(`/api/workers/${name}/history`, { headers: { Authorization: `Bearer ${fresh}` } })
    ).json<{ events: { message: string }[] }>()
    expect(history.events.map((event) => event.message)).toEqual([
      'The deploy token was rotated by an API token of its account: the previous one no longer works.',
    ])
  })
})
