import { describe, expect, it } from 'vitest'
import { OWNER_EVENTS_KEPT } from '../../src/names/owner-changes'
import { helloScript, platform, putScript, uniqueName } from '../helpers'

interface History {
  name: string
  events: { at: string; message: string }[]
}

const bearer = (token: string, method = 'GET'): RequestInit => ({
  method,
  headers: { Authorization: `Bearer ${token}` },
})
const history = (name: string, token?: string) =>
  platform(`/api/workers/${name}/history`, token ? bearer(token) : undefined)

async function signUp(): Promise<{ account: { accountId: string }; token: { id: string; value: string } }> {
  const res = await platform('/api/accounts', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'History Co' }),
  })
  expect(res.status).toBe(201)
  return res.json()
}

describe("a worker's owner history", () => {
  it('keeps rotations, the move into an account and revoked API tokens, for the owner only', async () => {
    const name = uniqueName('hist')
    const { token: deployToken } = await (await putScript(name, helloScript('v1'))).json<{ token: string }>()
    expect((await (await history(name, deployToken)).json<History>()).events).toEqual([])

    const rotated = await platform(`/api/workers/${name}/token`, bearer(deployToken, 'POST'))
    const { token: fresh } = await rotated.json<{ token: string }>()
    const { account, token } = await signUp()
    const moved = await platform(`/api/workers/${name}/account`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.value}` },
      body: JSON.stringify({ token: fresh }),
    })
    expect(moved.status).toBe(200)
    const spare = await (
      await platform('/api/account/tokens', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.value}` },
        body: JSON.stringify({ name: 'spare' }),
      })
    ).json<{ id: string }>()
    expect((await platform(`/api/account/tokens/${spare.id}`, bearer(token.value, 'DELETE'))).status).toBe(200)

    const read = await history(name, token.value)
    expect(read.status).toBe(200)
    expect(read.headers.get('cache-control')).toBe('no-store')
    const { events } = await read.json<History>()
    expect(events.map((event) => event.message)).toEqual([
      'The deploy token was rotated by its owner: the previous one no longer works.',
      `Moved into account ${account.accountId}.`,
      `API token ${spare.id} of its account was revoked.`,
    ])
    for (const event of events) expect(Date.parse(event.at)).not.toBeNaN()

    // The owner's record: no token 401, the rotated-away one 401 as an unknown one, another account 403.
    expect((await history(name)).status).toBe(401)
    expect((await history(name, deployToken)).status).toBe(401)
    expect((await history(name, (await signUp()).token.value)).status).toBe(403)
    expect((await history(uniqueName('none'), token.value)).status).toBe(404)
  })

  it(`keeps the newest ${OWNER_EVENTS_KEPT}, whatever the traffic, and none once the name is deleted`, async () => {
    const name = uniqueName('hist')
    const { token: first } = await (await putScript(name, helloScript('v1'))).json<{ token: string }>()
    let current = first
    for (let i = 0; i < OWNER_EVENTS_KEPT + 2; i++) {
      const rotated = await platform(`/api/workers/${name}/token`, bearer(current, 'POST'))
      current = (await rotated.json<{ token: string }>()).token
    }
    // Log lines scroll away with traffic; the history does not.
    for (let i = 0; i < 5; i++) await (await platform(`/user-workers/${name}`)).text()
    const { events } = await (await history(name, current)).json<History>()
    expect(events).toHaveLength(OWNER_EVENTS_KEPT)

    expect((await platform(`/api/workers/${name}`, bearer(current, 'DELETE'))).status).toBe(200)
    const { token: again } = await (await putScript(name, helloScript('new owner'))).json<{ token: string }>()
    expect((await (await history(name, again)).json<History>()).events).toEqual([])
  })
})
