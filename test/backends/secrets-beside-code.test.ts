import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { FetcherOptions } from '../../src/backends/backend'
import { DynamicWorkersBackend, readCode } from '../../src/backends/dynamic-workers'
import type { NameClaim } from '../../src/names/name-claim.do'
import type { SealedSecrets } from '../../src/names/secrets'
import { platformWith, uniqueName } from '../helpers'

const KEY = { SECRETS_KEY: 'a-secrets-key-of-at-least-32-characters!' }
const ENV_SCRIPT = 'export default { fetch(request, env) { return Response.json(env) } }'

function put(name: string, body: Record<string, unknown>, token?: string, overrides: object = KEY) {
  return platformWith(overrides, `/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
}

const served = async (name: string) =>
  (await platformWith(KEY, `/user-workers/${name}`)).json<Record<string, unknown>>()

/** Drops the name's object's copy of a deployment's secrets, so only the copy beside the code is left. */
async function forgetClaimCopy(name: string, workerId: string): Promise<void> {
  await runInDurableObject(env.NAME_CLAIMS.getByName(name), async (_instance: NameClaim, state) => {
    await state.storage.delete(`secrets/${workerId}`)
  })
}

function options(secrets: FetcherOptions['secrets']): FetcherOptions {
  return {
    name: 'beside',
    settings: {
      vars: {},
      secretNames: ['S'],
      egress: { mode: 'block-all', hosts: [] },
      limits: { cpuMs: 50, subRequests: 50 },
    },
    secrets,
    context: { hops: 0, platformHosts: ['platform.test'] },
    compatibility: { date: '2026-11-01', flags: [] },
  }
}

describe('secrets beside the code (dynamic-workers)', () => {
  it('a cold start reads them from the stored code, sealed, without asking the name’s object', async () => {
    const name = uniqueName('beside')
    const res = await put(name, { script: ENV_SCRIPT, secrets: { S: 'plain-text-value' } })
    const { workerId } = await res.json<{ workerId: string }>()
    const stored = await readCode(env.WORKER_MAPPINGS, workerId)
    expect(stored?.secrets?.encrypted).toBe(true)
    const raw = new TextDecoder().decode(
      (await env.WORKER_MAPPINGS.get(`code/${workerId}`, 'arrayBuffer')) ?? undefined,
    )
    expect(raw).not.toContain('plain-text-value')
    await forgetClaimCopy(name, workerId)
    expect(await served(name)).toEqual({ S: 'plain-text-value' })
  })

  it('a rollback serves the secrets of the deployment it brings back', async () => {
    const name = uniqueName('beside-rollback')
    const first = await (
      await put(name, { script: ENV_SCRIPT, secrets: { S: 'one' } })
    ).json<{
      workerId: string
      token: string
    }>()
    await put(name, { script: ENV_SCRIPT, secrets: { S: 'two' } }, first.token)
    expect(await served(name)).toEqual({ S: 'two' })
    const rolledBack = await platformWith(KEY, `/api/workers/${name}/rollback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${first.token}` },
      body: JSON.stringify({ deployment: first.workerId }),
    })
    expect(rolledBack.status).toBe(200)
    expect(await served(name)).toEqual({ S: 'one' })
  })

  it('a deployment without secrets stores null: nothing to ask anyone for', async () => {
    const name = uniqueName('beside-none')
    const { workerId } = await (await put(name, { script: ENV_SCRIPT })).json<{ workerId: string }>()
    expect((await readCode(env.WORKER_MAPPINGS, workerId))?.secrets).toBeNull()
  })

  it('unencrypted secrets (no SECRETS_KEY) stay in the name’s object only', async () => {
    const name = uniqueName('beside-plain')
    const res = await put(name, { script: ENV_SCRIPT, secrets: { S: 'plain' } }, undefined, {})
    const { workerId } = await res.json<{ workerId: string }>()
    const stored = await readCode(env.WORKER_MAPPINGS, workerId)
    expect(stored).not.toBeNull()
    expect(stored?.secrets).toBeUndefined()
    expect(await (await platformWith({}, `/user-workers/${name}`)).json()).toEqual({ S: 'plain' })
  })

  it('deleting the worker deletes them with the code', async () => {
    const name = uniqueName('beside-delete')
    const { workerId, token } = await (
      await put(name, { script: ENV_SCRIPT, secrets: { S: 'gone' } })
    ).json<{ workerId: string; token: string }>()
    const removed = await platformWith(KEY, `/api/workers/${name}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(removed.status).toBe(200)
    await runInDurableObject(env.NAME_CLAIMS.getByName(name), (instance: NameClaim) =>
      instance.drain(Date.now() + 60 * 60_000),
    )
    expect(await env.WORKER_MAPPINGS.get(`code/${workerId}`)).toBeNull()
  })

  it('a deployment stored in the older JSON format still loads, its secrets from the name’s object', async () => {
    const backend = new DynamicWorkersBackend(env.WORKER_MAPPINGS, env.LOADER)
    const workerId = `w-legacy-${uniqueName()}`
    const bundle = { mainModule: 'main.js', modules: [{ name: 'main.js', type: 'esm', content: ENV_SCRIPT }] }
    await env.WORKER_MAPPINGS.put(`code/${workerId}`, JSON.stringify({ name: 'legacy', ...bundle }))
    const asked: (SealedSecrets | null | undefined)[] = []
    const fetcher = backend.fetcher(
      workerId,
      options((stored) => {
        asked.push(stored)
        return Promise.resolve({ S: 'from-the-claim' })
      }),
    )
    expect(await (await fetcher.fetch(new Request('http://x/'))).json()).toEqual({ S: 'from-the-claim' })
    expect(asked).toEqual([undefined])
    expect(await backend.code(workerId)).toEqual(bundle)
  })

  it('an older deployment whose settings name no secret loads without asking the name’s object', async () => {
    const name = uniqueName('legacy-plain')
    const { workerId } = await (
      await put(name, { script: ENV_SCRIPT, vars: { V: 'v' } }, undefined, {})
    ).json<{
      workerId: string
    }>()
    const bundle = (await readCode(env.WORKER_MAPPINGS, workerId))!.bundle
    await env.WORKER_MAPPINGS.put(`code/${workerId}`, JSON.stringify({ name, ...bundle }))
    const unreachable = {
      getByName: () => {
        throw new Error('dispatch asked the name’s object')
      },
    } as unknown as Env['NAME_CLAIMS']
    const res = await platformWith({ NAME_CLAIMS: unreachable }, `/user-workers/${name}`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ V: 'v' })
  })
})
