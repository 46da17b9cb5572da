import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { decodeStoredCode, encodeStoredCode } from '../../src/backends/code-store'
import type { WorkerRecord } from '../../src/core/model'
import { cronRunSchema, storedRecordSchema, workerRecordSchema } from '../../src/core/model-schemas'
import { parseStored, parseStoredJson, StoredDataError } from '../../src/core/schema'
import { fromOutboundParameters } from '../../src/dispatch/egress'
import { Registry } from '../../src/names/registry'
import { seal, sealedSecretsSchema, unseal } from '../../src/names/secrets'
import { encodeText } from '../../src/lib/encoding'
import { platformWith, uniqueName } from '../helpers'

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
