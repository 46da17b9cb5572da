import { describe, expect, it } from 'vitest'
import { bucketOf, rolloutPick } from '../../src/deploy/rollouts'
import { declaredWrangler, platform, uniqueName } from '../helpers'

// Gradual rollouts with version affinity (deploy/rollouts.ts, docs/deployments.md#gradual-rollouts).

describe('rollout buckets', () => {
  const keys = Array.from({ length: 10_000 }, (_, i) => `visitor-${i}`)
  const share = (percent: number) =>
    keys.filter((key) => rolloutPick('shop', { candidate: 'c', percent, startedAt: '' }, key) === 'candidate')

  it('puts 10,000 distinct keys in a 10 % rollout within ±2 %', () => {
    expect(share(10).length).toBeGreaterThanOrEqual(800)
    expect(share(10).length).toBeLessThanOrEqual(1200)
    expect(share(50).length).toBeGreaterThanOrEqual(4800)
    expect(share(50).length).toBeLessThanOrEqual(5200)
  })

  it('only moves keys from the current deployment to the candidate as the percentage grows', () => {
    const at10 = new Set(share(10))
    const at50 = new Set(share(50))
    expect([...at10].every((key) => at50.has(key))).toBe(true)
    // The worker's name is part of the key: another worker's 10 % is other visitors.
    const elsewhere = keys.filter((key) => bucketOf('other', key) < 10)
    expect(elsewhere.filter((key) => at10.has(key)).length).toBeLessThan(300)
  })
})

const VERSIONED = (version: string) => `export default {
  fetch: (request) => Response.json({ version: "${version}", key: request.headers.get("cloudflare-workers-version-key") }),
};`

async function put(name: string, body: unknown, token?: string, query = '') {
  return platform(`/api/workers/${name}${query}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
}

describe('a gradual rollout', () => {
  it('serves the candidate to its share by the platform’s key, never the client’s, and ends with a promote or an abort', async () => {
    const name = uniqueName('rollout')
    const first = await (await put(name, { script: VERSIONED('v1') })).json<{ token: string; workerId: string }>()
    const candidate = await (
      await put(name, { script: VERSIONED('v2') }, first.token, '?promote=false')
    ).json<{
      deployments: { workerId: string; current: boolean }[]
    }>()
    const v2 = candidate.deployments.find((deployment) => !deployment.current)!.workerId
    const auth = { Authorization: `Bearer ${first.token}`, 'Content-Type': 'application/json' }
    const rollout = (percent: number, deployment = v2) =>
      platform(`/api/workers/${name}/rollout`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ deployment, percent }),
      })
    expect((await rollout(50)).status).toBe(200)

    const visit = async (key: string, headers: Record<string, string> = {}) =>
      (await platform(`/user-workers/${name}/`, { headers: { Cookie: `wfp_visitor=${key}`, ...headers } })).json<{
        version: string
        key: string | null
      }>()
    const versions = await Promise.all(Array.from({ length: 200 }, (_, i) => visit(`k${i}`)))
    const onCandidate = versions.filter((answer) => answer.version === 'v2').length
    expect(onCandidate).toBeGreaterThan(70)
    expect(onCandidate).toBeLessThan(130)
    for (let i = 0; i < 20; i++) {
      const expected =
        rolloutPick(name, { candidate: v2, percent: 50, startedAt: '' }, `k${i}`) === 'candidate' ? 'v2' : 'v1'
      expect((await visit(`k${i}`)).version).toBe(expected)
      // A version key the client sends changes nothing, and never reaches the worker.
      expect(await visit(`k${i}`, { 'Cloudflare-Workers-Version-Key': 'pick-me' })).toEqual({
        version: expected,
        key: null,
      })
    }

    // A first visit gets its key as the platform's cookie (made from its IP); a second keeps it.
    const firstVisit = await platform(`/user-workers/${name}/`, { headers: { 'CF-Connecting-IP': '203.0.113.9' } })
    expect(firstVisit.headers.get('set-cookie')).toMatch(/^wfp_visitor=ip\.[0-9a-z]+; Path=\/; HttpOnly; SameSite=Lax/)

    expect(await (await platform(`/workers/${name}`)).text()).toContain('to 50 % of visitors since')

    // Refused: the current deployment, a share out of range.
    expect((await rollout(50, first.workerId)).status).toBe(400)
    expect((await rollout(100)).status).toBe(400)

    const aborted = await platform(`/api/workers/${name}/rollout`, { method: 'DELETE', headers: auth })
    expect(await aborted.json()).toMatchObject({ rollout: null })
    expect(
      (await Promise.all(Array.from({ length: 20 }, (_, i) => visit(`k${i}`)))).every(
        (answer) => answer.version === 'v1',
      ),
    ).toBe(true)
    expect((await rollout(10)).status).toBe(200)
    const promoted = await platform(`/api/workers/${name}/promote`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ deployment: v2 }),
    })
    expect(await promoted.json()).toMatchObject({ rollout: null, workerId: v2 })
  })

  it('is refused for a candidate that brings migrations, as Cloudflare refuses it', async () => {
    const name = uniqueName('rollout-mig')
    const files = (version: string, migrations: { name: string; sql: string }[]) => ({
      files: {
        'src/index.js': VERSIONED(version),
        'wrangler.json': declaredWrangler({ d1: [{ binding: 'DB', migrationsDir: 'migrations', migrations }] }),
      },
    })
    const first = await (await put(name, files('v1', []))).json<{ token: string }>()
    const candidate = await (
      await put(
        name,
        files('v2', [{ name: '0001_notes.sql', sql: 'CREATE TABLE notes (id INTEGER)' }]),
        first.token,
        '?promote=false',
      )
    ).json<{ deployments: { workerId: string; current: boolean }[] }>()
    const v2 = candidate.deployments.find((deployment) => !deployment.current)!.workerId
    const refused = await platform(`/api/workers/${name}/rollout`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${first.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ deployment: v2, percent: 10 }),
    })
    expect(refused.status).toBe(400)
    expect(await refused.text()).toContain('brought D1 or Durable Object migrations')
  })
})
