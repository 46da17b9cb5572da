import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { readCode } from '../../src/backends/dynamic-workers'
import type { WorkerRecord } from '../../src/core/model'
import type { NameClaim } from '../../src/names/name-claim.do'
import { deployNew, helloScript, platform, platformWith, putScript, uniqueName, type Deployed } from '../helpers'

// No transaction spans KV, the name's Durable Object and the backend. These tests make each step of
// deploy, rollback and delete fail in turn and check that the name then converges to exactly its
// old or its new state — served version, record, owner, history and stored code agree — and that a
// retry succeeds.

const MINUTES = 60_000

/** KV with the writes to keys matching `failing` refused, as an outage would. */
function kvFailing(failing: { put?: RegExp; delete?: RegExp }): KVNamespace {
  const kv = env.WORKER_MAPPINGS
  return new Proxy(kv, {
    get(target, property) {
      if (property === 'put' || property === 'delete') {
        const pattern = failing[property]
        return async (key: string, ...rest: unknown[]) => {
          if (pattern?.test(key)) throw new Error(`injected: KV ${property} ${key}`)
          return (target[property] as (...args: unknown[]) => Promise<void>).call(target, key, ...rest)
        }
      }
      const value: unknown = Reflect.get(target, property)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

type Method = (...args: unknown[]) => Promise<unknown>

type ClaimMethod = 'commit' | 'commitDelete' | 'release' | 'takeReveal'

/**
 * The name objects, with one method failing: `before` it runs (the call never arrived), or `after`
 * (it ran, but its answer was lost — the caller cannot tell which).
 */
function claimsFailing(method: ClaimMethod, when: 'before' | 'after'): DurableObjectNamespace<NameClaim> {
  const namespace = env.NAME_CLAIMS
  return {
    getByName(name: string) {
      const stub = namespace.getByName(name)
      return new Proxy(stub, {
        get(target, property) {
          // RPC stubs answer every property with a callable; `bind` would itself be sent as a call.
          const call = Reflect.get(target, property) as Method
          if (property !== method) return call
          return async (...args: unknown[]) => {
            if (when === 'before') throw new Error(`injected: ${method} failed`)
            await call(...args)
            throw new Error(`injected: ${method} answered, but the answer was lost`)
          }
        },
      })
    },
  } as unknown as DurableObjectNamespace<NameClaim>
}

const claimOf = (name: string) => env.NAME_CLAIMS.getByName(name)

/** Lets time pass for the name's object: its alarm does whatever is due by then. */
async function later(name: string, ms = 10 * MINUTES): Promise<void> {
  await runInDurableObject(claimOf(name), (instance: NameClaim) => instance.drain(Date.now() + ms))
}

async function storedCode(name: string): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | undefined
  do {
    const page = await env.WORKER_MAPPINGS.list({ prefix: 'code/', cursor })
    for (const key of page.keys) {
      const workerId = key.name.slice('code/'.length)
      const code = await readCode(env.WORKER_MAPPINGS, workerId)
      if (code?.name === name) ids.push(workerId)
    }
    cursor = page.list_complete ? undefined : page.cursor
  } while (cursor)
  return ids.sort()
}

/** What the name is, seen from every place that holds part of it. */
async function stateOf(name: string, token: string) {
  const record = await claimOf(name).current()
  const mapped = await env.WORKER_MAPPINGS.get<WorkerRecord>(`workers/${name}`, 'json')
  // A fresh platform isolate: no cached mapping, so it serves what KV says.
  const served = await platformWith({}, `/user-workers/${name}`)
  const logs = await claimOf(name).readLogs({ token, admin: false })
  return {
    record,
    mapped,
    served: served.status === 200 ? await served.text() : served.status,
    ownedByToken: logs.ok && logs.found,
    code: await storedCode(name),
  }
}

type State = Awaited<ReturnType<typeof stateOf>>

/** The whole name agrees with its object's record, and that record is one of `allowed` (by Worker ID). */
function expectConverged(state: State, allowed: { workerId: string | null; body: string | null }[]) {
  const serving = state.record?.workerId ?? null
  const match = allowed.find((option) => option.workerId === serving)
  expect(match, `serving ${serving}, expected one of ${allowed.map((a) => a.workerId).join(', ')}`).toBeDefined()
  expect(state.mapped).toEqual(state.record)
  if (state.record) {
    expect(state.served).toBe(match?.body)
    expect(state.ownedByToken).toBe(true)
    const ids = [...state.record.deployments, ...state.record.retired].map((entry) => entry.workerId).sort()
    expect(state.code).toEqual(ids)
  } else {
    expect(state.served).toBe(404)
    expect(state.code).toEqual([])
  }
}

/** A worker with two deployments: v1 (first upload) and v2 (serving). */
async function twoVersions(prefix: string): Promise<{ name: string; v1: Deployed; v2: string }> {
  const name = uniqueName(prefix)
  const v1 = await deployNew(name, helloScript('v1'))
  const res = await putScript(name, helloScript('v2'), v1.token)
  expect(res.status).toBe(200)
  return { name, v1, v2: (await res.json<{ workerId: string }>()).workerId }
}

function put(overrides: Parameters<typeof platformWith>[0], name: string, script: string, token: string) {
  return platformWith(overrides, `/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/javascript', Authorization: `Bearer ${token}` },
    body: script,
  })
}

function rollback(overrides: Parameters<typeof platformWith>[0], name: string, workerId: string, token: string) {
  return platformWith(overrides, `/api/workers/${name}/rollback`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ deployment: workerId }),
  })
}

function remove(overrides: Parameters<typeof platformWith>[0], name: string, token: string) {
  return platformWith(overrides, `/api/workers/${name}`, {
    method: 'DELETE',
    headers: { Authorization: `Bearer ${token}` },
  })
}

const FAULTS = {
  'the backend upload': { WORKER_MAPPINGS: kvFailing({ put: /^code\// }) },
  'the KV mapping write': { WORKER_MAPPINGS: kvFailing({ put: /^workers\// }) },
  'the KV mapping delete': { WORKER_MAPPINGS: kvFailing({ delete: /^workers\// }) },
  'the backend removal': { WORKER_MAPPINGS: kvFailing({ delete: /^code\// }) },
  "the object's commit (not arrived)": { NAME_CLAIMS: claimsFailing('commit', 'before') },
  "the object's commit (answer lost)": { NAME_CLAIMS: claimsFailing('commit', 'after') },
  "the object's delete (not arrived)": { NAME_CLAIMS: claimsFailing('commitDelete', 'before') },
  "the object's delete (answer lost)": { NAME_CLAIMS: claimsFailing('commitDelete', 'after') },
  'the lease release': { NAME_CLAIMS: claimsFailing('release', 'before') },
} satisfies Record<string, Parameters<typeof platformWith>[0]>

type FaultName = keyof typeof FAULTS

describe('a deploy that fails at any step converges to the old or the new version', () => {
  const steps: FaultName[] = [
    'the backend upload',
    'the KV mapping write',
    "the object's commit (not arrived)",
    "the object's commit (answer lost)",
    'the lease release',
  ]
  it.each(steps)('%s', async (step) => {
    const { name, v1, v2 } = await twoVersions('fail-deploy')
    const res = await put(FAULTS[step], name, helloScript('v3'), v1.token)
    expect(res.status).not.toBe(403)
    const v3 = res.status === 200 ? (await res.json<{ workerId: string }>()).workerId : null

    await later(name)
    const state = await stateOf(name, v1.token)
    const committed = state.record?.deployments[0]?.workerId
    const options: { workerId: string | null; body: string }[] = [{ workerId: v2, body: 'v2' }]
    if (committed !== v2) options.push({ workerId: committed ?? null, body: 'v3' })
    expectConverged(state, options)
    if (v3) expect(state.record?.workerId).toBe(v3)

    // A retry goes through and everything agrees again.
    const retry = await putScript(name, helloScript('v4'), v1.token)
    expect(retry.status).toBe(200)
    await later(name)
    const after = await stateOf(name, v1.token)
    expectConverged(after, [{ workerId: (await retry.json<{ workerId: string }>()).workerId, body: 'v4' }])
  })

  it('code uploaded by a deploy that died before its commit is deleted once its lease is long gone', async () => {
    const { name, v1, v2 } = await twoVersions('fail-orphan')
    const res = await put(FAULTS["the object's commit (not arrived)"], name, helloScript('v3'), v1.token)
    expect(res.status).toBe(500)
    expect((await storedCode(name)).length).toBe(3) // the orphan is there until its time comes
    await later(name, 1 * MINUTES) // not yet: the upload might still have been running
    expect((await storedCode(name)).length).toBe(3)
    await later(name)
    expectConverged(await stateOf(name, v1.token), [{ workerId: v2, body: 'v2' }])
  })
})

describe('a rollback that fails at any step converges to the old or the new version', () => {
  const steps: FaultName[] = [
    'the KV mapping write',
    "the object's commit (not arrived)",
    "the object's commit (answer lost)",
    'the lease release',
  ]
  it.each(steps)('%s', async (step) => {
    const { name, v1, v2 } = await twoVersions('fail-rollback')
    await rollback(FAULTS[step], name, v1.workerId, v1.token)

    await later(name)
    expectConverged(await stateOf(name, v1.token), [
      { workerId: v2, body: 'v2' },
      { workerId: v1.workerId, body: 'v1' },
    ])

    const retry = await rollback({}, name, v1.workerId, v1.token)
    expect(retry.status).toBe(200)
    await later(name)
    expectConverged(await stateOf(name, v1.token), [{ workerId: v1.workerId, body: 'v1' }])
  })
})

describe('a delete that fails at any step converges to the worker or to a free name', () => {
  const steps: FaultName[] = [
    'the KV mapping delete',
    'the backend removal',
    "the object's delete (not arrived)",
    "the object's delete (answer lost)",
    'the lease release',
  ]
  it.each(steps)('%s', async (step) => {
    const { name, v1, v2 } = await twoVersions('fail-delete')
    await remove(FAULTS[step], name, v1.token)

    await later(name)
    const state = await stateOf(name, v1.token)
    expectConverged(state, [
      { workerId: v2, body: 'v2' },
      { workerId: null, body: null },
    ])

    if (state.record) {
      expect((await remove({}, name, v1.token)).status).toBe(200)
      await later(name)
      expectConverged(await stateOf(name, v1.token), [{ workerId: null, body: null }])
    }
    // Either way the name is free again: anyone can claim it.
    expect((await putScript(name, helloScript('new owner'))).status).toBe(201)
  })
})

describe('the deploy token reveal', () => {
  it('survives a failed first attempt: the success page shows the token on a retry', async () => {
    const name = uniqueName('fail-reveal')
    const upload = await platform('/upload', {
      method: 'POST',
      body: new URLSearchParams({ name, script: helloScript('hi') }),
    })
    const location = upload.headers.get('location') ?? ''
    expect(location).toContain('reveal=')
    const failed = await platformWith({ NAME_CLAIMS: claimsFailing('takeReveal', 'before') }, location)
    expect(failed.status).toBe(500)
    const page = await (await platform(location)).text()
    expect(page).toMatch(/dt_[A-Za-z0-9_-]{43}/)
    // Shown once: a reload does not show it again.
    expect(await (await platform(location)).text()).not.toMatch(/dt_[A-Za-z0-9_-]{43}/)
  })
})

describe('one name, changed over and over', () => {
  it('PUT → DELETE → PUT → DELETE: every step succeeds, logs of the re-created name work, the name ends free', async () => {
    const name = uniqueName('recreate')
    const first = await deployNew(name, helloScript('one'))
    expect((await remove({}, name, first.token)).status).toBe(200)
    const second = await deployNew(name, helloScript('two'))
    const logs = await platform(`/api/workers/${name}/logs`, { headers: { Authorization: `Bearer ${second.token}` } })
    expect(logs.status).toBe(200)
    expect((await remove({}, name, second.token)).status).toBe(200)
    expect((await platform(`/api/workers/${name}`)).status).toBe(404)
    expect((await putScript(name, helloScript('three'))).status).toBe(201)
  })

  it('20 rounds of create, update, rollback and delete, back to back, answer no 5xx', async () => {
    const name = uniqueName('rounds')
    const statuses: number[] = []
    for (let round = 0; round < 20; round++) {
      const created = await putScript(name, helloScript(`r${round}a`))
      statuses.push(created.status)
      const { token, workerId } = await created.json<Deployed>()
      statuses.push((await putScript(name, helloScript(`r${round}b`), token)).status)
      const back = await platform(`/api/workers/${name}/rollback`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ deployment: workerId }),
      })
      statuses.push(back.status)
      const served = await platform(`/user-workers/${name}`)
      statuses.push(served.status)
      expect(await served.text()).toBe(`r${round}a`)
      const removed = await platform(`/api/workers/${name}`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${token}` },
      })
      statuses.push(removed.status)
    }
    expect(statuses.filter((status) => status >= 500)).toEqual([])
    expect(new Set(statuses)).toEqual(new Set([200, 201]))
  }, 30_000) // 80 requests back to back: 2 s on a quiet machine, over 5 s when the 2 cores are shared
})

describe('reads never change ownership', () => {
  it('reading the logs of a freed name that KV still lists answers 404 and claims nothing', async () => {
    const name = uniqueName('stale-logs')
    const deployed = await deployNew(name, helloScript('x'))
    const stale = await env.WORKER_MAPPINGS.get(`workers/${name}`)
    expect((await remove({}, name, deployed.token)).status).toBe(200)
    // Another location may still read the old record for up to a minute.
    await env.WORKER_MAPPINGS.put(`workers/${name}`, stale ?? '')

    const logs = await platformWith({}, `/api/workers/${name}/logs`)
    expect(logs.status).toBe(404)
    expect(await claimOf(name).current()).toBeNull()
    // Nobody owns it: a first upload without a token claims it.
    expect((await putScript(name, helloScript('mine'))).status).toBe(201)
  })

  it('a rollback or delete on a record only KV still shows answers 404 and claims nothing', async () => {
    const name = uniqueName('stale-change')
    const deployed = await deployNew(name, helloScript('x'))
    const stale = await env.WORKER_MAPPINGS.get(`workers/${name}`)
    expect((await remove({}, name, deployed.token)).status).toBe(200)
    await env.WORKER_MAPPINGS.put(`workers/${name}`, stale ?? '')

    expect((await rollback({}, name, deployed.workerId, deployed.token)).status).toBe(404)
    expect((await remove({}, name, deployed.token)).status).toBe(404)
    expect(await claimOf(name).current()).toBeNull()
  })
})

describe('log capture', () => {
  it('stays on across a deploy', async () => {
    const name = uniqueName('watched')
    const deployed = await deployNew(name, helloScript('v1'))
    const logs = await platform(`/api/workers/${name}/logs`, { headers: { Authorization: `Bearer ${deployed.token}` } })
    const { capturingUntil } = await logs.json<{ capturingUntil: string }>()
    expect((await putScript(name, helloScript('v2'), deployed.token)).status).toBe(200)
    // A deploy opens a window of its own, never a shorter one.
    const logsUntil = (await claimOf(name).current())?.logsUntil
    expect(Date.parse(logsUntil ?? '')).toBeGreaterThanOrEqual(Date.parse(capturingUntil))
  })
})

describe('the outbox', () => {
  it('arms the alarm as soon as a deploy announces its upload, so an orphan is collected even if nothing else happens', async () => {
    const name = uniqueName('armed')
    const claim = claimOf(name)
    const lease = await claim.acquire(
      { admin: false },
      { uploading: 'w-never-committed', startedAt: Date.now() },
      { actor: 'test' },
    )
    expect(lease.ok).toBe(true)
    const alarm = await runInDurableObject(claim, (_instance: NameClaim, state) => state.storage.getAlarm())
    expect(alarm).not.toBeNull()
    if (lease.ok) await claim.abort(lease.leaseId)
  })

  it('a free name gives its storage back once nothing is owed', async () => {
    const name = uniqueName('freed')
    const deployed = await deployNew(name, helloScript('x'))
    expect((await remove({}, name, deployed.token)).status).toBe(200)
    await later(name)
    const keys = await runInDurableObject(claimOf(name), async (_instance: NameClaim, state) => [
      ...(await state.storage.list()).keys(),
    ])
    expect(keys).toEqual([])
  })
})
