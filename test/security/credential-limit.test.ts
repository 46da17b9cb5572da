import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { helloScript, platformWith, putScript, uniqueName } from '../helpers'

describe('refused tokens, per client (AUTH_FAILURE_LIMITER)', () => {
  it('answers 429 past the budget, the same for a wrong deploy token and an unknown API token', async () => {
    const name = uniqueName('guess')
    const { token } = await (await putScript(name, helloScript('x'))).json<{ token: string }>()
    const limited = { AUTH_FAILURE_LIMITER: env.STRICT_AUTH_FAILURE_LIMITER }
    const client = { 'CF-Connecting-IP': '198.51.100.23' }
    const put = (credential?: string) =>
      platformWith(limited, `/api/workers/${name}`, {
        method: 'PUT',
        headers: { ...client, ...(credential ? { Authorization: `Bearer ${credential}` } : {}) },
        body: helloScript('y'),
      })

    // A missing token is not a refused one: it does not count.
    for (let i = 0; i < 5; i++) expect((await put()).status).toBe(403)
    expect((await put('dt_wrong')).status).toBe(401)
    expect((await put(`at_${'0'.repeat(16)}_${'A'.repeat(43)}`)).status).toBe(401)
    expect((await put('dt_wrong-again')).status).toBe(401)

    const overWrong = await put('dt_wrong')
    const overUnknown = await put(`at_${'1'.repeat(16)}_${'B'.repeat(43)}`)
    for (const over of [overWrong, overUnknown]) {
      expect(over.status).toBe(429)
      expect(over.headers.get('retry-after')).toBe('60')
    }
    expect(await overWrong.json()).toEqual(await overUnknown.json())
    // The owner is not locked out by someone else's guesses from the same address.
    expect((await put(token)).status).toBe(200)
  })

  it('counts a wrong token typed into a worker page form, which re-renders the page instead of throwing', async () => {
    const name = uniqueName('guess-form')
    await putScript(name, helloScript('x'))
    const limited = { AUTH_FAILURE_LIMITER: env.STRICT_AUTH_FAILURE_LIMITER }
    const post = () =>
      platformWith(limited, `/workers/${name}/logs`, {
        method: 'POST',
        // Its own address: the strict limiter's counts are shared with every other test file.
        headers: { 'CF-Connecting-IP': '198.51.100.78', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: 'dt_wrong' }),
      })
    for (let i = 0; i < 3; i++) expect((await post()).status).toBe(401)
    expect((await post()).status).toBe(429)
  })
})
