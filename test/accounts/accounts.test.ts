import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { hashToken } from '../../src/names/ownership'
import { helloScript, platform, putScript, uniqueName } from '../helpers'

interface Issued {
  id: string
  name: string
  value: string
}
interface AccountView {
  accountId: string
  name: string
  tokens: { id: string; name: string; createdAt: string; lastUsedAt?: string; revokedAt?: string }[]
  workers: string[]
}

const json = (method: string, body: unknown, token?: string): RequestInit => ({
  method,
  headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
})
const bearer = (token: string): RequestInit => ({ headers: { Authorization: `Bearer ${token}` } })

async function signUp(name = 'Acme'): Promise<{ account: AccountView; token: Issued }> {
  const res = await platform('/api/accounts', json('POST', { name }))
  expect(res.status).toBe(201)
  return res.json()
}

async function view(token: string): Promise<AccountView> {
  const res = await platform('/api/account', bearer(token))
  expect(res.status).toBe(200)
  return res.json()
}

/** What the platform answers a token that is not valid, whatever the reason. */
async function refusalOf(res: Response): Promise<{ status: number; message: string }> {
  const { error } = await res.json<{ error: { message: string } }>()
  return { status: res.status, message: error.message }
}

describe('accounts and API tokens', () => {
  it('signs up, creates two workers and a second token, deploys with either, lists both', async () => {
    const { account, token: first } = await signUp()
    expect(first.value).toMatch(/^at_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)
    expect(JSON.stringify(account)).not.toContain(first.value.slice(20))

    const [a, b] = [uniqueName('acct'), uniqueName('acct')]
    expect((await putScript(a, helloScript('a1'), first.value)).status).toBe(201)
    const second = await (
      await platform('/api/account/tokens', json('POST', { name: 'CI' }, first.value))
    ).json<Issued>()
    expect(second.name).toBe('CI')
    expect((await putScript(b, helloScript('b1'), second.value)).status).toBe(201)
    expect((await putScript(a, helloScript('a2'), second.value)).status).toBe(200)
    expect(await (await platform(`/user-workers/${a}`)).text()).toBe('a2')

    const listed = await view(second.value)
    expect(listed.workers.sort()).toEqual([a, b].sort())
    expect(listed.tokens.map((token) => token.name)).toEqual(['first token', 'CI'])
    expect(JSON.stringify(listed)).not.toContain(second.value.slice(20))
    expect(listed.tokens[0]?.lastUsedAt).toBeDefined()
  })

  it('refuses a revoked token at once, with the same answer as an unknown one', async () => {
    const { token: first } = await signUp()
    const second = await (
      await platform('/api/account/tokens', json('POST', { name: 'laptop' }, first.value))
    ).json<Issued>()
    const name = uniqueName('acct')
    expect((await putScript(name, helloScript('x'), second.value)).status).toBe(201)

    const revoked = await platform(`/api/account/tokens/${second.id}`, { method: 'DELETE', ...bearer(first.value) })
    expect(revoked.status).toBe(200)
    const afterRevoke = await refusalOf(await putScript(name, helloScript('y'), second.value))
    const unknown = await refusalOf(await putScript(name, helloScript('y'), `at_${'0'.repeat(16)}_${'A'.repeat(43)}`))
    const malformed = await refusalOf(await putScript(name, helloScript('y'), 'at_nonsense'))
    expect(afterRevoke).toEqual({ status: 401, message: 'That token is not valid: it is unknown, or it was revoked.' })
    expect(unknown).toEqual(afterRevoke)
    expect(malformed).toEqual(afterRevoke)
    expect(await refusalOf(await platform('/api/account', bearer(second.value)))).toEqual(afterRevoke)
    expect((await view(first.value)).tokens.find((token) => token.id === second.id)?.revokedAt).toBeDefined()
  })

  it("keeps one account's token off another account's workers", async () => {
    const [mine, theirs] = [await signUp('mine'), await signUp('theirs')]
    const name = uniqueName('acct')
    expect((await putScript(name, helloScript('x'), mine.token.value)).status).toBe(201)
    const refused = await putScript(name, helloScript('stolen'), theirs.token.value)
    expect(await refusalOf(refused)).toEqual({
      status: 403,
      message: 'This worker does not belong to the account of that API token.',
    })
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('x')
  })

  it('moves a worker created with a deploy token into an account; its deploy token keeps working', async () => {
    const name = uniqueName('legacy')
    const created = await putScript(name, helloScript('v1'))
    const { token: deployToken } = await created.json<{ token: string }>()
    const { token } = await signUp()
    expect((await putScript(name, helloScript('v2'), token.value)).status).toBe(403)

    const wrongProof = await platform(`/api/workers/${name}/account`, json('POST', { token: 'dt_wrong' }, token.value))
    expect(wrongProof.status).toBe(401)
    const moved = await platform(`/api/workers/${name}/account`, json('POST', { token: deployToken }, token.value))
    expect(moved.status).toBe(200)
    expect((await view(token.value)).workers).toContain(name)
    expect((await putScript(name, helloScript('v2'), token.value)).status).toBe(200)
    expect((await putScript(name, helloScript('v3'), deployToken)).status).toBe(200)
  })

  it('reads an owner record as main wrote it before accounts, and moves that worker into an account', async () => {
    const name = uniqueName('before')
    expect((await putScript(name, helloScript('v1'))).status).toBe(201)
    // The owner record exactly as written before accounts existed: no accountId, a token of its time.
    const token = `dt_${'L'.repeat(43)}`
    await runInDurableObject(env.NAME_CLAIMS.getByName(name), async (_object, state) => {
      const ownerId = (await state.storage.get<{ ownerId: string }>('owner'))!.ownerId
      await state.storage.put('owner', {
        ownerId,
        tokenHash: await hashToken(token),
        claimedAt: '2026-06-01T00:00:00.000Z',
      })
    })
    expect((await putScript(name, helloScript('v2'), token)).status).toBe(200)
    const { token: apiToken } = await signUp()
    const moved = await platform(`/api/workers/${name}/account`, json('POST', { token }, apiToken.value))
    expect(moved.status).toBe(200)
    expect((await view(apiToken.value)).workers).toContain(name)
    expect((await putScript(name, helloScript('v3'), apiToken.value)).status).toBe(200)
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('v3')
  })

  it('stops listing a deleted worker', async () => {
    const { token } = await signUp()
    const name = uniqueName('acct')
    await putScript(name, helloScript('x'), token.value)
    expect((await platform(`/api/workers/${name}`, { method: 'DELETE', ...bearer(token.value) })).status).toBe(200)
    expect((await view(token.value)).workers).not.toContain(name)
  })

  it('rotates a deploy token: the old one is refused at once, the new one works, the logs say so', async () => {
    const name = uniqueName('rotate')
    const { token: old } = await (await putScript(name, helloScript('v1'))).json<{ token: string }>()
    const rotated = await platform(`/api/workers/${name}/token`, { method: 'POST', ...bearer(old) })
    expect(rotated.status).toBe(200)
    const { token: fresh } = await rotated.json<{ token: string }>()
    expect(fresh).toMatch(/^dt_/)
    expect(fresh).not.toBe(old)
    expect(await refusalOf(await putScript(name, helloScript('v2'), old))).toEqual({
      status: 401,
      message: 'That token is not valid: it is unknown, or it was revoked.',
    })
    expect((await platform(`/api/workers/${name}/token`, { method: 'POST', ...bearer(old) })).status).toBe(401)
    expect((await putScript(name, helloScript('v2'), fresh)).status).toBe(200)
    const logs = await (
      await platform(`/api/workers/${name}/logs`, bearer(fresh))
    ).json<{ lines: { message: string }[] }>()
    expect(logs.lines.map((line) => line.message)).toContain(
      'The deploy token was rotated by its owner: the previous one no longer works.',
    )
  })

  it("rotates with the account's API token, and notes a revoked API token in each of the account's workers", async () => {
    const { token: first } = await signUp()
    const second = await (
      await platform('/api/account/tokens', json('POST', { name: 'old laptop' }, first.value))
    ).json<Issued>()
    const name = uniqueName('acct')
    await putScript(name, helloScript('x'), first.value)
    expect((await platform(`/api/workers/${name}/token`, { method: 'POST', ...bearer(first.value) })).status).toBe(200)

    await platform(`/api/account/tokens/${second.id}`, { method: 'DELETE', ...bearer(first.value) })
    const logs = await (
      await platform(`/api/workers/${name}/logs`, bearer(first.value))
    ).json<{ lines: { message: string }[] }>()
    expect(logs.lines.map((line) => line.message)).toEqual(
      expect.arrayContaining([
        'The deploy token was rotated by an API token of its account: the previous one no longer works.',
        `API token ${second.id} of its account was revoked.`,
      ]),
    )
  })

  it('names the field of a bad sign-up or token request', async () => {
    const noName = await platform('/api/accounts', json('POST', {}))
    expect(noName.status).toBe(400)
    expect((await refusalOf(noName)).message).toContain('name')
    const { token } = await signUp()
    const blank = await platform('/api/account/tokens', json('POST', { name: '  ' }, token.value))
    expect(await refusalOf(blank)).toEqual({ status: 400, message: '"name" must be a name of 1 to 64 characters.' })
    const noToken = await platform('/api/account/tokens', json('POST', { name: 'x' }))
    expect(noToken.status).toBe(401)
  })
})
