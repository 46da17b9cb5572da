import { describe, expect, it } from 'vitest'
import { platform, uniqueName } from '../helpers'
import { BASE, newAccountToken, put, upload } from './helpers'

// What wrangler reads and sends about a worker's bindings (routes/client-api.ts,
// client-api/script-bindings.ts): its settings list them, an upload may `inherit` them, and
// `wrangler secret bulk` changes several secrets as one deployment.

const COUNTER = `export default {
  async fetch(request, env) {
    const n = Number((await env.CACHE.get("n")) ?? 0) + 1;
    await env.CACHE.put("n", String(n));
    return new Response(env.GREETING + " " + n + " " + (env.API_KEY ?? "none"));
  },
};`

const BINDINGS = [
  { type: 'plain_text', name: 'GREETING', text: 'hello' },
  { type: 'secret_text', name: 'API_KEY', text: 'k1' },
  { type: 'kv_namespace', name: 'CACHE', namespace_id: 'cache-1' },
]

function settingsOf(name: string, token?: string) {
  return platform(`${BASE}/scripts/${name}/settings`, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
}

async function deploy(name: string, bindings: unknown[], token: string, extra: Record<string, unknown> = {}) {
  return put(name, upload({ bindings, ...extra }, { 'index.js': COUNTER }), token)
}

const body = async (name: string) => (await platform(`/user-workers/${name}/`)).text()

describe('/client/v4: a worker’s bindings', () => {
  it('lists the bindings in its settings, for its owner only, secrets by name', async () => {
    const name = uniqueName('bind')
    const token = await newAccountToken()
    expect((await deploy(name, BINDINGS, token)).status).toBe(200)
    const settings = await settingsOf(name, token)
    expect(await settings.json()).toMatchObject({
      success: true,
      result: {
        bindings: [
          { type: 'plain_text', name: 'GREETING', text: 'hello' },
          { type: 'secret_text', name: 'API_KEY' },
          { type: 'kv_namespace', name: 'CACHE', namespace_id: 'cache-1' },
        ],
      },
    })
    expect(JSON.stringify(await (await settingsOf(name, token)).json())).not.toContain('k1')
    const anonymous = await settingsOf(name)
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject({ success: false, errors: [{ code: 10001 }] })
  })

  it('keeps what an inherited binding names: the same store with its data, the secret, the var', async () => {
    const name = uniqueName('bind')
    const token = await newAccountToken()
    await deploy(name, BINDINGS, token)
    expect(await body(name)).toBe('hello 1 k1')
    const inherited = await deploy(
      name,
      [
        { type: 'inherit', name: 'CACHE' },
        { type: 'inherit', name: 'API_KEY' },
        { type: 'inherit', name: 'GREETING' },
      ],
      token,
    )
    expect(inherited.status).toBe(200)
    expect(await body(name)).toBe('hello 2 k1')
  })

  it('refuses an inherited binding the worker does not have with 10057, and changes nothing', async () => {
    const name = uniqueName('bind')
    const token = await newAccountToken()
    const fresh = await deploy(name, [{ type: 'inherit', name: 'CACHE' }], token)
    expect(fresh.status).toBe(400)
    expect(fresh.body.errors[0]).toMatchObject({ code: 10057, message: expect.stringContaining('"CACHE"') as unknown })
    expect((await platform(`/user-workers/${name}/`)).status).toBe(404)
    await deploy(name, BINDINGS, token)
    const missing = await deploy(name, [...BINDINGS, { type: 'inherit', name: 'DB' }], token)
    expect(missing.body.errors[0]?.code).toBe(10057)
    expect(await body(name)).toBe('hello 1 k1')
  })

  it('refuses tail_consumers by name: a worker’s tail goes to its owner', async () => {
    const name = uniqueName('bind')
    const refused = await deploy(name, BINDINGS, await newAccountToken(), {
      tail_consumers: [{ service: 'log-sink' }],
      observability: { enabled: true },
    })
    expect(refused.status).toBe(400)
    expect(refused.body.errors[0]?.message).toContain('tail_consumers: tail consumer "log-sink"')
  })

  it('sets and deletes several secrets at once with secrets-bulk, as one new deployment', async () => {
    const name = uniqueName('bind')
    const token = await newAccountToken()
    await deploy(name, BINDINGS, token)
    const bulk = await platform(`${BASE}/scripts/${name}/secrets-bulk`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({
        secrets: { API_KEY: null, OTHER: { name: 'OTHER', text: 'o', type: 'secret_text' }, NEVER: null },
      }),
    })
    expect(bulk.status).toBe(200)
    expect(await body(name)).toBe('hello 1 none')
    const worker = await (await platform(`/api/workers/${name}`)).json<{ deployments: { label: string }[] }>()
    expect(worker.deployments.map((deployment) => deployment.label)).toEqual([
      'secret API_KEY deleted, secret OTHER set',
      'v1',
    ])
    const refused = await platform(`${BASE}/scripts/${name}/secrets-bulk`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${await newAccountToken()}` },
      body: JSON.stringify({ secrets: { API_KEY: null, OTHER: null } }),
    })
    expect(refused.status).toBe(403)
    expect(await body(name)).toBe('hello 2 none')
  })

  it('answers wrangler’s provisioning of stores without an id: a KV namespace is a fresh id, a D1 database its name', async () => {
    const account = '/client/v4/accounts/any'
    const json = { 'Content-Type': 'application/json' }
    expect(await (await platform(`${account}/storage/kv/namespaces?per_page=100`)).json()).toMatchObject({
      success: true,
      result: [],
    })
    const created = await platform(`${account}/storage/kv/namespaces`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ title: 'shop-cache' }),
    })
    const { result } = await created.json<{ result: { id: string; title: string } }>()
    expect(result).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown, title: 'shop-cache' })
    const byName = await platform(`${account}/d1/database/app-db`)
    expect(await byName.json()).toMatchObject({ result: { uuid: 'app-db', name: 'app-db' } })
    const made = await platform(`${account}/d1/database`, { method: 'POST', headers: json, body: '{"name":"app-db"}' })
    expect(await made.json()).toMatchObject({ result: { uuid: 'app-db' } })
    for (const invalid of ['x'.repeat(65), 'my.db', '-db']) {
      const refused = await platform(`${account}/d1/database/${invalid}`)
      expect(refused.status, invalid).toBe(400)
      expect(await refused.json()).toMatchObject({ success: false, errors: [{ code: 10021 }] })
    }

    // The id wrangler then sends names a store of the worker, as an id in its config would.
    const name = uniqueName('bind')
    const token = await newAccountToken()
    const bindings = [{ ...BINDINGS[2], namespace_id: result.id }, BINDINGS[0]]
    await deploy(name, bindings, token)
    expect(await body(name)).toBe('hello 1 none')
    await deploy(name, [{ type: 'inherit', name: 'CACHE' }, BINDINGS[0]], token)
    expect(await body(name)).toBe('hello 2 none')
  })
})
