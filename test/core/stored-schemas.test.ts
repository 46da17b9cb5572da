import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { AssetStore } from '../../src/assets/store'
import { decodeStoredCode, encodeStoredCode } from '../../src/backends/code-store'
import { DEFAULTS } from '../../src/core/config'
import { CronRuns } from '../../src/cron/cron-runs'
import type { AssetConfig, WorkerRecord } from '../../src/core/model'
import { cronRunSchema, storedRecordSchema, workerRecordSchema } from '../../src/core/model-schemas'
import { parseStored, parseStoredJson, StoredDataError } from '../../src/core/schema'
import { fromOutboundParameters } from '../../src/dispatch/egress'
import { OutboxStore } from '../../src/names/outbox'
import { Registry } from '../../src/names/registry'
import { Reveals } from '../../src/names/reveals'
import { seal, sealedSecretsSchema, unseal } from '../../src/names/secrets'
import { encodeText } from '../../src/lib/encoding'
import { kvLedger } from '../../src/storage/store'
import { asset } from '../assets/helpers'
import { claimedRef, platformWith, uniqueName } from '../helpers'

// Every schema for stored data against fixtures today's writers produce (a deploy through the
// platform, the code store's encoder, seal()), and the older shapes they still have to read.

const SECRETS_KEY = { SECRETS_KEY: 'a-secrets-key-of-at-least-32-characters!' }
const SCRIPT = 'export default { fetch(request, env) { return Response.json(env) }, scheduled() {} }'

const putJson = (name: string, body: unknown, overrides = {}, token?: string) =>
  platformWith(overrides, `/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })

/** A name deployed with every setting, then once more from a built project: the record as main writes it. */
async function deployEverything(): Promise<{ name: string; kvJson: unknown; objectRecord: unknown }> {
  const name = uniqueName('stored')
  const first = await putJson(
    name,
    {
      script: SCRIPT,
      label: 'with everything',
      vars: { GREETING: 'hi' },
      secrets: { API_KEY: 'sealed-value' },
      egress: { mode: 'allow-list', hosts: ['example.com', '*.api.test'], sockets: true },
      storage: { kv: true, sql: true },
      publicCode: true,
      limits: { cpuMs: 100, subRequests: 10 },
      crons: ['*/5 * * * *'],
    },
    SECRETS_KEY,
  )
  expect(first.status).toBe(201)
  const { token } = await first.json<{ token: string }>()
  const built = await putJson(name, { files: { 'src/index.ts': SCRIPT }, crons: [] }, SECRETS_KEY, token)
  expect(built.status, await built.clone().text()).toBe(200)
  const kvJson: unknown = await env.WORKER_MAPPINGS.get(`workers/${name}`, 'json')
  const objectRecord = await env.NAME_CLAIMS.getByName(name).current()
  return { name, kvJson, objectRecord }
}

describe('stored worker records', () => {
  it('read back every record a deploy writes, to KV and to the name’s object, whole', async () => {
    const { kvJson, objectRecord } = await deployEverything()
    for (const stored of [kvJson, objectRecord]) {
      const record = parseStored(workerRecordSchema, stored, 'fixture')
      // Nothing dropped, nothing added: the schema's output is what was written.
      expect(record).toEqual(stored)
      const [built, scripted] = record.deployments
      expect(built?.build).toBeDefined()
      expect(scripted?.settings).toMatchObject({ storage: { kv: true, sql: true }, publicCode: true })
      expect(scripted?.settings?.egress.sockets).toBe(true)
    }
  })

  it('read the shapes older deployments have: no settings, compatibility, build, hints or logsUntil', async () => {
    const { kvJson } = await deployEverything()
    const record = parseStored(workerRecordSchema, kvJson, 'fixture')
    const older: WorkerRecord = {
      ...record,
      deployments: record.deployments.map(
        ({ settings: _s, compatibility: _c, build: _b, hints: _h, ...deployment }) => deployment,
      ),
    }
    delete older.logsUntil
    expect(parseStored(workerRecordSchema, JSON.parse(JSON.stringify(older)), 'fixture')).toEqual(older)
    // Settings from before storage, crons, public code and sockets.
    const plain = {
      vars: {},
      secretNames: [],
      egress: { mode: 'allow-all', hosts: [] },
      limits: record.deployments[0]!.settings!.limits,
    }
    const withPlainSettings = { ...older, deployments: [{ ...older.deployments[0]!, settings: plain }] }
    expect(parseStored(workerRecordSchema, withPlainSettings, 'fixture')).toEqual(withPlainSettings)
  })

  it('keep fields a newer version added, so a record read and written back loses nothing', () => {
    const record = {
      name: 'n',
      workerId: 'w',
      ownerId: 'o',
      backend: 'dynamic-workers',
      createdAt: 't',
      updatedAt: 't',
      deployments: [],
      retired: [],
      future: { x: 1 },
    }
    expect(parseStored(workerRecordSchema, record, 'fixture')).toEqual(record)
  })

  it('refuse garbage with an error that names what and where, not a TypeError later', async () => {
    const name = uniqueName('garbage')
    await env.WORKER_MAPPINGS.put(`workers/${name}`, JSON.stringify({ name, workerId: 5 }))
    const registry = new Registry(env.WORKER_MAPPINGS, 0)
    const read = registry.get(name)
    await expect(read).rejects.toThrow(StoredDataError)
    await expect(read).rejects.toThrow(`The KV record of "${name}" is not in any shape the platform writes: workerId:`)
    expect(() => parseStored(storedRecordSchema, [1, 2], 'A record')).toThrow('A record is not in any shape')
    expect(parseStored(storedRecordSchema, null, 'A record')).toBeNull()
  })
})

describe('stored code (both formats) and sealed secrets', () => {
  const bundle = {
    mainModule: 'main.js',
    modules: [
      { name: 'main.js', type: 'esm' as const, content: 'export default {}' },
      { name: 'data.json', type: 'json' as const, content: '{}' },
    ],
  }

  it('reads the code a deploy stored, with its secrets sealed beside it', async () => {
    const name = uniqueName('stored-code')
    const res = await putJson(name, { script: SCRIPT, secrets: { S: 'v' } }, SECRETS_KEY)
    const { workerId } = await res.json<{ workerId: string }>()
    const stored = await env.WORKER_MAPPINGS.get(`code/${workerId}`, 'arrayBuffer')
    const code = decodeStoredCode(stored!)
    expect(code.name).toBe(name)
    expect(parseStored(sealedSecretsSchema, code.secrets, 'fixture')).toEqual(code.secrets)
    expect(await unseal(code.secrets ?? null, SECRETS_KEY.SECRETS_KEY)).toEqual({ S: 'v' })
  })

  it.each([undefined, null, 'plain', 'sealed'] as const)('reads the framed format with secrets %s', async (kind) => {
    const secrets =
      kind === 'plain' ? await seal({ A: '1' }, undefined) : kind === 'sealed' ? await seal({ A: '1' }, 'k') : kind
    const stored = secrets === undefined ? { name: 'n', bundle } : { name: 'n', bundle, secrets }
    expect(decodeStoredCode(encodeStoredCode(stored).slice().buffer)).toEqual(stored)
  })

  it('reads the JSON document code was stored as before the framed format', () => {
    const legacy = encodeText(JSON.stringify({ name: 'old', ...bundle }))
    expect(decodeStoredCode(legacy.slice().buffer)).toEqual({ name: 'old', bundle })
  })

  it('refuses garbage code and secrets with errors that say what is wrong', async () => {
    const decode = (text: string) => () => decodeStoredCode(encodeText(text).slice().buffer)
    expect(decode('{"name":"x","modules":[]}')).toThrow(
      'The stored code is not in any shape the platform writes: mainModule',
    )
    expect(decode('{"name":')).toThrow('The stored code is not valid JSON.')
    const framed = encodeStoredCode({ name: 'n', bundle })
    expect(() => decodeStoredCode(framed.slice(0, framed.length - 3).buffer)).toThrow('shorter than its header says')
    await expect(unseal({ encrypted: false, data: '{"A":1}' }, undefined)).rejects.toThrow(
      'The stored secrets is not in any shape the platform writes: A:',
    )
  })
})

describe('the outbound Worker’s egress parameter', () => {
  it('reads every policy the platform passes, and refuses one it never would', () => {
    for (const egress of [
      { mode: 'allow-all', hosts: [] },
      { mode: 'allow-list', hosts: ['example.com'], sockets: true },
      { mode: 'block-all', hosts: [] },
    ]) {
      expect(fromOutboundParameters({ egress: JSON.stringify(egress) }).egress).toEqual(egress)
    }
    expect(() => fromOutboundParameters({ egress: '{"mode":"open"}' })).toThrow(
      'The egress parameter is not in any shape',
    )
  })
})

describe('stored cron runs', () => {
  it('reads every outcome and trigger a run is recorded with, and refuses a row no version wrote', () => {
    for (const outcome of ['ok', 'exception', 'exceeded', 'missing', 'error']) {
      for (const trigger of ['schedule', 'manual']) {
        const run = { at: new Date(0).toISOString(), cron: '* * * * *', trigger, outcome, durationMs: 3 }
        expect(parseStoredJson(cronRunSchema, JSON.stringify(run), 'A run')).toEqual(run)
      }
    }
    expect(() => parseStoredJson(cronRunSchema, '{"at":1}', 'A stored cron run')).toThrow(
      'A stored cron run is not in any shape the platform writes: at:',
    )
  })
})

/** What a read inside a Durable Object threw (caught there, so no rejected call is logged as uncaught). */
async function failure(read: () => Promise<unknown>): Promise<{ name: string; message: string } | null> {
  return read().then(
    () => null,
    (error: Error) => ({ name: error.name, message: error.message }),
  )
}

/** Runs `body` over the storage of a fresh name's object, which is emptied afterwards. */
function inNameObject<T>(body: (storage: DurableObjectStorage) => Promise<T>): Promise<T> {
  return runInDurableObject(env.NAME_CLAIMS.getByName(uniqueName('stored-object')), async (_object, state) => {
    try {
      return await body(state.storage)
    } finally {
      await state.storage.deleteAll()
    }
  })
}

const notStored = (what: string, where: string) => ({
  name: 'StoredDataError',
  message: expect.stringContaining(`${what} is not in any shape the platform writes: ${where}`) as string,
})

describe('what a name’s object keeps besides its record', () => {
  it('the outbox: as written today, as written before purges, absent; garbage named', async () => {
    const result = await inNameObject(async (storage) => {
      const outbox = new OutboxStore(storage)
      const empty = await outbox.get()
      const today = {
        mapping: true,
        removals: [{ workerId: 'w-1', notBefore: 5 }],
        purges: [{ name: 'n', ownerId: 'o-1' }],
      }
      await outbox.update(() => today)
      const read = await outbox.get()
      await storage.put('outbox', { mapping: false, removals: [{ workerId: 'w-2', notBefore: 6 }] })
      const older = await outbox.get()
      await storage.put('outbox', { mapping: 'yes', removals: [] })
      return { empty, read, older, garbage: await failure(() => outbox.get()) }
    })
    expect(result.empty).toEqual({ mapping: false, removals: [] })
    expect(result.read).toEqual({
      mapping: true,
      removals: [{ workerId: 'w-1', notBefore: 5 }],
      purges: [{ name: 'n', ownerId: 'o-1' }],
    })
    expect(result.older).toEqual({ mapping: false, removals: [{ workerId: 'w-2', notBefore: 6 }] })
    expect(result.garbage).toEqual(notStored('The name’s stored outbox', 'mapping:'))
  })

  it('deploy tokens waiting to be shown: sealed with and without SECRETS_KEY; garbage named', async () => {
    const result = await inNameObject(async (storage) => {
      const taken = []
      for (const key of [undefined, SECRETS_KEY.SECRETS_KEY]) {
        const reveals = new Reveals(storage, () => key)
        const revealId = await reveals.keep('the-token')
        const expiries = await reveals.expiries()
        taken.push({ expiries: expiries.length, token: await reveals.take(revealId) })
      }
      const reveals = new Reveals(storage, () => undefined)
      await storage.put('reveal/bad', { sealed: 'the-token', expiresAt: Date.now() + 60_000 })
      return {
        taken,
        take: await failure(() => reveals.take('bad')),
        expiries: await failure(() => reveals.expiries()),
      }
    })
    expect(result.taken).toEqual([
      { expiries: 1, token: 'the-token' },
      { expiries: 1, token: 'the-token' },
    ])
    expect(result.take).toEqual(notStored('A waiting deploy token', 'sealed:'))
    expect(result.expiries).toEqual(notStored('A waiting deploy token', 'sealed:'))
  })

  it('the cron plan: as plan() writes it, absent; garbage named', async () => {
    const settings = {
      vars: {},
      secretNames: [],
      egress: { mode: 'allow-all' as const, hosts: [] },
      limits: DEFAULTS.limits.defaults,
      crons: ['*/5 * * * *', '0 * * * *'],
    }
    const record: WorkerRecord = {
      ...{ name: 'n', workerId: 'w-1', ownerId: 'o-1', backend: 'dynamic-workers', createdAt: '', updatedAt: '' },
      deployments: [{ workerId: 'w-1', sequence: 1, createdAt: '', size: 1, sha256: '', label: '', settings }],
      retired: [],
    }
    const now = Date.UTC(2026, 11, 1, 10, 2)
    const result = await inNameObject(async (storage) => {
      const runs = new CronRuns(storage)
      const none = await runs.next()
      await runs.plan(record, now)
      const planned = await runs.next()
      await storage.put('cron', { at: String(now), crons: [], planned: [] })
      return { none, planned, garbage: await failure(() => runs.next()) }
    })
    expect(result.none).toBeUndefined()
    expect(result.planned).toEqual({
      at: Date.UTC(2026, 11, 1, 10, 5),
      crons: ['*/5 * * * *'],
      planned: settings.crons,
    })
    expect(result.garbage).toEqual(notStored('The name’s cron plan', 'at:'))
  })
})

describe('the KV ledger of a worker’s env.KV', () => {
  it('reads the entries and totals reserveKv writes, and names garbage', async () => {
    const ref = await claimedRef('stored-ledger')
    const ledger = kvLedger(env, ref)
    const quotas = DEFAULTS.storageQuotas
    const now = Date.now()
    await ledger.reserveKv('a', 10, undefined, quotas, now)
    await ledger.reserveKv('b', 20, Math.floor(now / 1000) + 3600, quotas, now)
    await ledger.reserveKv('a', 15, undefined, quotas, now)
    expect(await ledger.kvUsage()).toEqual({ keys: 2, bytes: 35 })
    await ledger.releaseKv('b')
    expect(await ledger.kvUsage()).toEqual({ keys: 1, bytes: 15 })

    const garbage = await runInDurableObject(ledger, async (instance, state) => {
      await state.storage.put('kv:a', { bytes: '15' })
      const entry = await failure(() => instance.releaseKv('a'))
      await state.storage.put('usage', { keys: 1 })
      const usage = await failure(() => instance.kvUsage())
      await state.storage.deleteAll()
      return { entry, usage }
    })
    expect(garbage.entry).toEqual(notStored('The KV ledger’s entry of "a"', 'bytes:'))
    expect(garbage.usage).toEqual(notStored('The KV ledger’s totals', 'bytes:'))
  })
})

describe('a deployment’s asset manifest (dynamic-workers, KV)', () => {
  it('reads every manifest put() writes: with and without a Worker, every serving option', async () => {
    const store = new AssetStore(env.WORKER_MAPPINGS)
    const files = [asset('/index.html', '<h1>hi</h1>'), asset('/app.js', 'x', 'text/javascript')]
    const configs: AssetConfig[] = [
      {},
      { html_handling: 'none', not_found_handling: '404-page', run_worker_first: ['/api/*', '!/api/docs'] },
      { html_handling: 'drop-trailing-slash', not_found_handling: 'single-page-application', run_worker_first: true },
    ]
    for (const [index, config] of configs.entries()) {
      const workerId = `w-manifest-${uniqueName()}-${index}`
      await store.put(workerId, 'o-salt', { files, config }, index !== 2)
      const written: unknown = await env.WORKER_MAPPINGS.get(`assets/${workerId}`, 'json')
      expect(written).toMatchObject({ hasWorker: index !== 2, config })
      const site = await store.site(workerId)
      expect(site?.hasWorker).toBe(index !== 2)
      expect([...(site?.files.keys() ?? [])].sort()).toEqual(['/app.js', '/index.html'])
      await store.remove(workerId)
      expect(await env.WORKER_MAPPINGS.get(`assets/${workerId}`)).toBeNull()
    }
    // A site with no manifest has no assets.
    expect(await store.site(`w-manifest-${uniqueName()}`)).toBeNull()
  })

  it('refuses a manifest no version wrote, on serving and on removal, naming the field', async () => {
    const store = new AssetStore(env.WORKER_MAPPINGS)
    const workerId = `w-manifest-${uniqueName()}`
    const entry = { key: `asset/${workerId}/x`, contentType: 'text/plain', size: '1', etag: 'x' }
    await env.WORKER_MAPPINGS.put(
      `assets/${workerId}`,
      JSON.stringify({ hasWorker: true, config: {}, files: { '/a': entry } }),
    )
    const message = `The asset manifest of ${workerId} is not in any shape the platform writes: files./a.size:`
    await expect(store.site(workerId)).rejects.toThrow(StoredDataError)
    await expect(store.site(workerId)).rejects.toThrow(message)
    await expect(store.remove(workerId)).rejects.toThrow(message)
    await env.WORKER_MAPPINGS.put(`assets/${workerId}`, '{"hasWorker":')
    await expect(store.site(workerId)).rejects.toThrow(`The asset manifest of ${workerId} is not valid JSON.`)
    await env.WORKER_MAPPINGS.put(
      `assets/${workerId}`,
      JSON.stringify({ hasWorker: true, config: { html_handling: 'auto' }, files: {} }),
    )
    await expect(store.site(workerId)).rejects.toThrow('config.html_handling:')
    await env.WORKER_MAPPINGS.delete(`assets/${workerId}`)
  })
})
