import { beforeEach, describe, expect, it } from 'vitest'
import { uniqueName } from '../helpers'
import { callWatchingForTheToken, recorded, resetDouble } from '../backends/namespace-double'
import { STORAGE_SCRIPT } from './tenant-scripts'

// dispatch-namespace: env.KV and env.DB are service bindings to this Worker's entrypoints with the
// worker in props, in the upload's metadata (wrangler sends `entrypoint` and `props` the same way).

const { call } = callWatchingForTheToken(2)

beforeEach(async () => {
  await resetDouble()
})

const deploy = (name: string, body: Record<string, unknown>, token?: string) =>
  call(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ script: STORAGE_SCRIPT, ...body }),
  })

async function uploadedMetadata(): Promise<{ main_module?: string; bindings: unknown[] }> {
  const uploads = (await recorded()).filter((request) => request.method === 'PUT')
  const part = uploads.at(-1)?.parts.find((entry) => entry.field === 'metadata')
  if (!part) throw new Error('no upload recorded')
  return JSON.parse(part.content) as { main_module?: string; bindings: unknown[] }
}

describe('storage bindings in the namespace upload', () => {
  it('are service bindings to TenantKV and TenantSQL with the name and owner as props', async () => {
    const name = uniqueName('ns-store')
    const res = await deploy(name, { storage: { kv: true, sql: true }, vars: { GREETING: 'hi' } })
    expect(res.status).toBe(201)
    const metadata = await uploadedMetadata()
    const props = { name, ownerId: expect.stringMatching(/^o-[A-Za-z0-9_-]{12}$/) as unknown }
    expect(metadata.bindings).toEqual([
      { type: 'plain_text', name: 'GREETING', text: 'hi' },
      { type: 'service', name: 'KV', service: 'workers-for-platforms', entrypoint: 'TenantKV', props },
      { type: 'service', name: 'DB', service: 'workers-for-platforms', entrypoint: 'TenantSQL', props },
    ])
    // With env.DB the platform's main module wraps the worker's own (storage/shim.ts).
    expect(metadata.main_module).toBe('platform-main.js')
  })

  it('are left out when storage is off, and the owner stays the same across deploys', async () => {
    const name = uniqueName('ns-store')
    const first = await deploy(name, { storage: { kv: true } })
    const { token } = await first.json<{ token: string }>()
    const before = await uploadedMetadata()
    expect(before.bindings).toHaveLength(1)
    expect((await deploy(name, { label: 'again' }, token)).status).toBe(200)
    expect((await uploadedMetadata()).bindings).toEqual(before.bindings)
    expect((await deploy(name, { storage: { kv: false } }, token)).status).toBe(200)
    const after = await uploadedMetadata()
    expect(after.bindings).toEqual([])
    expect(after.main_module).toBe('worker.js')
  })

  it('refuses a variable or secret named like a storage binding the worker has', async () => {
    const res = await deploy(uniqueName('ns-store'), { storage: { sql: true }, vars: { DB: 'x' } })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      error: { code: 'invalid_settings', message: expect.stringContaining('"DB"') as unknown },
    })
  })
})
