import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../src/core/config'
import { RETIRED_OWNER } from '../../src/core/generation'
import { emptyMinute, minuteOf } from '../../src/metrics/metrics'
import { MinuteAggregator, type MetricsStore } from '../../src/metrics/metrics-recorder'
import type { CronRun } from '../../src/core/model'
import { TenantKvStore } from '../../src/storage/kv'
import { kvPrefix } from '../../src/storage/refs'
import { kvLedger, purgeStorage, sqlObject, storageUsage } from '../../src/storage/store'
import { CronRuns } from '../../src/cron/cron-runs'
import { claimedRef, deployNew, ownerIdOf, platform, uniqueName } from '../helpers'

// A name's owner generation is its owner ID, minted at each claim (src/core/generation.ts).
// Work still running for a deleted owner — an invocation, a cron run, an isolate's metrics — must
// write nothing into the name once someone else claims it, and nothing back after the purge.

/** What deleting the worker does to its storage: the name's object forgets the owner, then the purge runs. */
async function deleteOwner(ref: { name: string; ownerId: string }): Promise<void> {
  await runInDurableObject(env.NAME_CLAIMS.getByName(ref.name), (_object, state) => state.storage.delete('owner'))
  await purgeStorage(env, ref)
}

const kvKeys = async (ref: { name: string; ownerId: string }) =>
  (await env.TENANT_KV.list({ prefix: kvPrefix(ref) })).keys.map((key) => key.name)

describe('generations: a deleted owner’s in-flight work writes nothing', () => {
  it('env.KV and env.DB refuse the deleted owner’s late writes, so the purge leaves nothing behind', async () => {
    const ref = await claimedRef('gen-store')
    const store = new TenantKvStore(env.TENANT_KV, () => kvLedger(env, ref), ref, DEFAULTS.storageQuotas)
    const database = sqlObject(env, ref)
    await store.put('before', 'kept until the purge')
    await database.query([{ sql: 'CREATE TABLE t (x)', params: [] }])

    await deleteOwner(ref)
    // The invocation that was running goes on writing: refused, naming why.
    await expect(store.put('late', 'x')).rejects.toThrow(`KV PUT failed: ${RETIRED_OWNER}`)
    // Awaited inside a plain promise: expect() probes an RPC promise's properties, each a pipelined call.
    const insert = async () => database.query([{ sql: 'INSERT INTO t VALUES (1)', params: [] }])
    await expect(insert()).rejects.toThrow(`D1_ERROR: ${RETIRED_OWNER}`)
    expect(await kvKeys(ref)).toEqual([])
    expect(await storageUsage(env, ref)).toEqual({
      kv: { keys: 0, bytes: 0 },
      sql: expect.objectContaining({ tables: 0 }) as unknown,
    })
  })

  it('an object that never saw the deleted owner asks the name, and refuses too (an evicted object)', async () => {
    const ref = await claimedRef('gen-fresh')
    await runInDurableObject(env.NAME_CLAIMS.getByName(ref.name), (_object, state) => state.storage.delete('owner'))
    const create = async () => sqlObject(env, ref).exec('CREATE TABLE t (x)')
    await expect(create()).rejects.toThrow(RETIRED_OWNER)
    expect((await storageUsage(env, ref)).sql.tables).toBe(0)
  })

  it('a KV write admitted just before the purge and landing after it is swept by the ledger a little later', async () => {
    const ref = await claimedRef('gen-race')
    const ledger = kvLedger(env, ref)
    await ledger.reserveKv('racing', 10, undefined, DEFAULTS.storageQuotas)
    await deleteOwner(ref)
    // The put the ledger admitted lands now, after the purge swept the prefix.
    await env.TENANT_KV.put(`${kvPrefix(ref)}racing`, 'late')
    expect(await kvKeys(ref)).toEqual([`${kvPrefix(ref)}racing`])
    expect(await runDurableObjectAlarm(ledger)).toBe(true)
    expect(await kvKeys(ref)).toEqual([])
    // …and then the ledger keeps nothing, alarm included.
    expect(
      await runInDurableObject(ledger, async (_object, state) => [
        await state.storage.list(),
        await state.storage.getAlarm(),
      ]),
    ).toEqual([new Map(), null])
  })

  it('log lines and "Run now" results of a deleted owner do not reach the name’s next owner', async () => {
    const name = uniqueName('gen-claim')
    const first = await deployNew(name, 'export default { fetch() { return new Response("1") } }')
    const oldOwner = (await ownerIdOf(name))!
    await platform(`/api/workers/${name}`, { method: 'DELETE', headers: { Authorization: `Bearer ${first.token}` } })
    const second = await deployNew(name, 'export default { fetch() { return new Response("2") } }')
    const claim = env.NAME_CLAIMS.getByName(name)
    const run: CronRun = {
      at: new Date().toISOString(),
      cron: '* * * * *',
      trigger: 'manual',
      outcome: 'ok',
      durationMs: 1,
    }
    const note = { at: new Date().toISOString(), level: 'log', message: 'the old owner’s run' }
    await claim.recordCronRun(run, note, oldOwner)
    await claim.appendLogs([{ at: new Date().toISOString(), level: 'log', message: 'the old owner’s line' }], oldOwner)
    const logs = await platform(`/api/workers/${name}/logs`, { headers: { Authorization: `Bearer ${second.token}` } })
    expect((await logs.json<{ lines: unknown[] }>()).lines).toEqual([])
    expect((await claim.readSchedule())?.runs ?? []).toEqual([])
    expect(await claim.holds(oldOwner)).toBe(false)
  })

  it('a scheduled run that outlasts its owner records nothing and plans nothing', async () => {
    const ref = await claimedRef('gen-cron')
    const recorded = await runInDurableObject(env.NAME_CLAIMS.getByName(ref.name), async (_object, state) => {
      const runs = new CronRuns(state.storage)
      const now = Date.now()
      const record = {
        name: ref.name,
        ownerId: ref.ownerId,
        workerId: 'w-1',
        deployments: [{ workerId: 'w-1', settings: { crons: ['* * * * *'] } }],
      }
      await runs.plan(record as never, now - 120_000)
      await runs.runDue(
        now,
        record as never,
        () =>
          Promise.resolve({ run: { at: '', cron: '* * * * *', trigger: 'schedule', outcome: 'ok', durationMs: 1 } }),
        () => Promise.resolve(),
        () => Promise.resolve(false),
      )
      return { runs: runs.recent(), next: await runs.next() }
    })
    expect(recorded.runs).toEqual([])
    expect(recorded.next).toBeUndefined()
  })

  it('metrics: an isolate never merges two generations, and a forgotten owner’s late aggregate is dropped', async () => {
    const name = uniqueName('gen-metrics')
    const stored = env.WORKER_METRICS.getByName(name)
    const oldOwner = (await claimedRef('unused')).ownerId
    await runInDurableObject(env.NAME_CLAIMS.getByName(name), (_object, state) =>
      state.storage.put('owner', { ownerId: oldOwner, tokenHash: 'x', claimedAt: '' }),
    )
    const row = { at: minuteOf(Date.now()), ...emptyMinute(), requests: 5 }
    await stored.add(row, oldOwner)
    await stored.forget(oldOwner)
    await stored.add(row, oldOwner)
    expect(await stored.read(0)).toEqual([])

    const writes: string[] = []
    const store: MetricsStore = {
      getByName: () => ({
        add: (_row, ownerId) => {
          writes.push(ownerId)
          return Promise.resolve()
        },
        read: () => Promise.resolve([]),
        readDays: () => Promise.resolve([]),
        forget: () => Promise.resolve(),
      }),
    }
    const aggregator = new MinuteAggregator(store)
    aggregator.record({ name, ownerId: 'o-old' }, 200, 1)
    aggregator.record({ name, ownerId: 'o-new' }, 200, 1)
    await aggregator.flush()
    expect(writes).toEqual(['o-old', 'o-new'])
    expect(await aggregator.read({ name, ownerId: 'o-new' }, 0)).toEqual([])
  })
})
