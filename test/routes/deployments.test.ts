import { describe, expect, it } from 'vitest'
import { deployNew, helloScript, platform, putScript, uniqueName } from '../helpers'

type Described = {
  workerId: string
  label: string
  deployments: { workerId: string; label: string; sequence: number; sha256: string; size: number; current: boolean }[]
}

const rollback = (name: string, deployment: unknown, token?: string) =>
  platform(`/api/workers/${name}/rollback`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ deployment }),
  })

describe('deployments and rollback', () => {
  it('records each upload with time, size, SHA-256 and a label (default v<n>)', async () => {
    const name = uniqueName('history')
    const { token } = await deployNew(name, helloScript('one'))
    await putScript(name, helloScript('two'), token)
    const res = await platform(`/api/workers/${name}?x`, {})
    const described = await res.json<Described>()
    expect(described.deployments.map((d) => [d.label, d.sequence, d.current])).toEqual([
      ['v2', 2, true],
      ['v1', 1, false],
    ])
    expect(described.deployments[0]!.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(described.deployments[0]!.size).toBe(helloScript('two').length)
  })

  it('takes a label from ?label= or the JSON body', async () => {
    const name = uniqueName('labels')
    const first = await platform(`/api/workers/${name}?label=${encodeURIComponent('first cut')}`, {
      method: 'PUT',
      body: helloScript('1'),
    })
    const { token } = await first.json<{ token: string }>()
    await platform(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ script: helloScript('2'), label: 'second' }),
    })
    const { deployments } = await (await platform(`/api/workers/${name}`)).json<Described>()
    expect(deployments.map((d) => d.label)).toEqual(['second', 'first cut'])
  })

  it('POST /api/workers/:name/rollback flips back instantly and needs the token', async () => {
    const name = uniqueName('rollback')
    const first = await deployNew(name, helloScript('good'))
    await putScript(name, helloScript('bad'), first.token)
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('bad')

    expect((await rollback(name, first.workerId)).status).toBe(403)
    expect((await rollback(name, 'w-unknown', first.token)).status).toBe(404)
    expect((await rollback(name, 42, first.token)).status).toBe(400)

    const res = await rollback(name, first.workerId, first.token)
    expect(res.status).toBe(200)
    expect((await res.json<Described>()).workerId).toBe(first.workerId)
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('good')
  })

  it('the worker page lists the history and rolls back with the promote form', async () => {
    const name = uniqueName('page-rollback')
    const first = await deployNew(name, helloScript('first'))
    await putScript(name, helloScript('second'), first.token)
    const html = await (await platform(`/workers/${name}`)).text()
    expect(html).toContain('v2 (serving)')
    expect(html).toContain(`value="${first.workerId}"`)

    const refused = await platform(`/workers/${name}/promote`, {
      method: 'POST',
      body: new URLSearchParams({ deployment: first.workerId, token: 'wrong' }),
    })
    expect(refused.status).toBe(401)
    expect(await refused.text()).toContain('That token is not valid')

    const done = await platform(`/workers/${name}/promote`, {
      method: 'POST',
      body: new URLSearchParams({ deployment: first.workerId, token: first.token }),
    })
    expect(done.status).toBe(303)
    expect(await (await platform(done.headers.get('location')!)).text()).toContain('Promoted.')
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('first')
  })

  it('keeps the last 10 deployments', async () => {
    const name = uniqueName('ten')
    const { token } = await deployNew(name, helloScript('0'))
    for (let i = 1; i <= 11; i++) expect((await putScript(name, helloScript(String(i)), token)).status).toBe(200)
    const { deployments } = await (await platform(`/api/workers/${name}`)).json<Described>()
    expect(deployments).toHaveLength(10)
    expect(deployments[0]!.label).toBe('v12')
    expect(deployments[9]!.label).toBe('v3')
  })
})
