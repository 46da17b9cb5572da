import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  deployNew,
  helloScript,
  inputValue,
  platform,
  platformWith,
  postForm,
  putScript,
  textareaContent,
  uniqueName,
} from '../helpers'

const ADMIN = 'admin-token-for-tests-0123456789abcdef'
const asAdmin = { ADMIN_TOKEN: ADMIN }
const text = async (name: string) => (await platform(`/user-workers/${name}`)).text()

describe('ownership: the first upload claims a name', () => {
  it('returns a deploy token once; updating needs it (403 without, 401 with a wrong one)', async () => {
    const name = uniqueName('owned')
    const { token } = await deployNew(name, helloScript('mine'))

    const missing = await putScript(name, helloScript('hijacked'))
    expect(missing.status).toBe(403)
    expect((await missing.json<{ error: { code: string } }>()).error.code).toBe('forbidden')
    // A wrong token gets the answer of an unknown one: nothing tells a guesser it was close.
    for (const presented of ['dt_wrong', `${token}x`]) {
      const res = await putScript(name, helloScript('hijacked'), presented)
      expect(res.status).toBe(401)
      expect((await res.json<{ error: { message: string } }>()).error.message).toBe(
        'That token is not valid: it is unknown, or it was revoked.',
      )
    }
    expect(await text(name)).toBe('mine')

    const update = await putScript(name, helloScript('mine, v2'), token)
    expect(update.status).toBe(200)
    expect(await text(name)).toBe('mine, v2')
  })

  it('deleting needs the token; deleting frees the name for a new owner', async () => {
    const name = uniqueName('freed')
    const { token } = await deployNew(name, helloScript('first owner'))
    expect((await platform(`/api/workers/${name}`, { method: 'DELETE' })).status).toBe(403)
    expect(
      (await platform(`/api/workers/${name}`, { method: 'DELETE', headers: { Authorization: 'Bearer nope' } })).status,
    ).toBe(401)
    expect(await text(name)).toBe('first owner')

    expect(
      (await platform(`/api/workers/${name}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200)
    const second = await deployNew(name, helloScript('second owner'))
    expect(second.token).not.toBe(token)
    expect((await putScript(name, helloScript('old token'), token)).status).toBe(401)
  })

  it('20 concurrent first uploads of a free name yield exactly one owner; the others get 409', async () => {
    const name = uniqueName('race')
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => putScript(name, helloScript(`racer ${i}`))))
    const statuses = results.map((res) => res.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(1)
    expect(statuses.filter((status) => status === 409)).toHaveLength(19)

    const winner = results[statuses.indexOf(201)]!
    const { token } = await winner.json<{ token: string }>()
    const served = await text(name)
    expect(served).toMatch(/^racer \d+$/)
    expect((await putScript(name, helloScript('winner update'), token)).status).toBe(200)
  })

  it('an upload that started before the name was claimed lost a race (409); one that started after needs the token (403)', async () => {
    const name = uniqueName('race-late')
    await deployNew(name, helloScript('winner'))
    const claim = env.NAME_CLAIMS.getByName(name)
    // Upload checks run before the lock, so a racer may reach the name only after the winner committed.
    const racer = await claim.acquire(
      { admin: false },
      { uploading: 'w-racer', startedAt: Date.now() - 60_000 },
      { actor: 'test' },
    )
    expect(racer).toEqual({ ok: false, reason: 'name_taken' })
    const later = await claim.acquire(
      { admin: false },
      { uploading: 'w-later', startedAt: Date.now() },
      { actor: 'test' },
    )
    expect(later).toEqual({ ok: false, reason: 'token_required' })
    expect((await putScript(name, helloScript('late'))).status).toBe(403)
  })

  it('the form asks for the token, keeps the name and code, and never echoes a token', async () => {
    const name = uniqueName('form-owned')
    const { token } = await deployNew(name, helloScript('x'))
    const script = helloScript('form update')

    const refused = await postForm({ name, script, token: 'dt_not-it' })
    expect(refused.status).toBe(401)
    const html = await refused.text()
    expect(html).toContain('That token is not valid: it is unknown, or it was revoked.')
    expect(inputValue(html, 'name')).toBe(name)
    expect(textareaContent(html)).toBe(script)
    expect(html).not.toContain('dt_not-it')

    expect((await postForm({ name, script, token })).status).toBe(303)
    expect(await text(name)).toBe('form update')
  })

  it('the success page shows the token once with a "save this" notice', async () => {
    const name = uniqueName('reveal')
    const res = await postForm({ name, script: helloScript('x') })
    const location = res.headers.get('location')!
    expect(location).toMatch(/reveal=/)
    expect(location).not.toMatch(/dt_/)

    const first = await platform(location)
    expect(first.headers.get('cache-control')).toBe('no-store')
    const html = await first.text()
    expect(html).toContain('Save your deploy token now')
    const token = html.match(/>(dt_[A-Za-z0-9_-]+)<\/textarea>/)?.[1]
    expect(token).toBeDefined()

    const again = await (await platform(location)).text()
    expect(again).not.toContain(token!)
    expect(again).toContain('shown once already')
    expect((await putScript(name, helloScript('with revealed token'), token)).status).toBe(200)
  })

  it('the worker page deletes with the token and refuses without it', async () => {
    const name = uniqueName('page-delete')
    const { token } = await deployNew(name, helloScript('x'))
    const refused = await platform(`/workers/${name}/delete`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'wrong' }),
    })
    expect(refused.status).toBe(401)
    expect(await refused.text()).toContain('That token is not valid')
    expect(await text(name)).toBe('x')

    const deleted = await platform(`/workers/${name}/delete`, { method: 'POST', body: new URLSearchParams({ token }) })
    expect(deleted.status).toBe(200)
    expect((await platform(`/user-workers/${name}`)).status).toBe(404)
  })
})

describe('ADMIN_TOKEN', () => {
  it('manages every worker when set', async () => {
    const name = uniqueName('admin')
    await deployNew(name, helloScript('tenant'))
    const headers = { 'Content-Type': 'application/javascript', Authorization: `Bearer ${ADMIN}` }
    const update = await platformWith(asAdmin, `/api/workers/${name}`, {
      method: 'PUT',
      headers,
      body: helloScript('by admin'),
    })
    expect(update.status).toBe(200)
    // Read through a fresh isolate-level cache: the default one may hold the old mapping for a few seconds.
    expect(await (await platformWith(asAdmin, `/user-workers/${name}`)).text()).toBe('by admin')
    const del = await platformWith(asAdmin, `/api/workers/${name}`, { method: 'DELETE', headers })
    expect(del.status).toBe(200)
  })

  it('is off when unset: the same token is just a wrong token', async () => {
    const name = uniqueName('no-admin')
    await deployNew(name, helloScript('tenant'))
    const res = await platformWith({ ADMIN_TOKEN: undefined }, `/api/workers/${name}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${ADMIN}` },
    })
    expect(res.status).toBe(401)
    expect(await text(name)).toBe('tenant')
  })
})
