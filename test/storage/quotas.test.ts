import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { DEFAULTS, type StorageQuotas } from '../../src/core/config'
import { TenantKvStore } from '../../src/storage/kv'
import { countOperation } from '../../src/storage/quotas'
import { kvLedger, sqlObject, storageUsage } from '../../src/storage/store'
import { claimedRef, platform, uniqueName } from '../helpers'
import { STORAGE_SCRIPT } from './tenant-scripts'

const ref = () => claimedRef('quota')
const quotas = (overrides: Partial<StorageQuotas> = {}): StorageQuotas => ({ ...DEFAULTS.storageQuotas, ...overrides })

describe('storage quotas', () => {
  it('TENANT_KV_MAX_KEYS: a new key beyond the quota is refused; overwriting and deleting are not', async () => {
    const owner = await ref()
    const store = new TenantKvStore(env.TENANT_KV, () => kvLedger(env, owner), owner, quotas({ kvMaxKeys: 2 }))
    await store.put('a', '1')
    await store.put('b', '2')
    await expect(store.put('c', '3')).rejects.toThrow(
      'TENANT_KV_MAX_KEYS exceeded: this worker may keep at most 2 keys in env.KV.',
    )
    await store.put('a', 'overwritten')
    await store.delete('b')
    await store.put('c', '3')
    expect(await store.get('c')).toBe('3')
    expect(await store.get('b')).toBeNull()
    expect((await storageUsage(env, owner)).kv).toEqual({ keys: 2, bytes: 'a'.length + 'overwritten'.length + 2 })
  })

  it('TENANT_KV_MAX_BYTES: keys, values and metadata count; a refused write writes nothing', async () => {
    const owner = await ref()
    const store = new TenantKvStore(env.TENANT_KV, () => kvLedger(env, owner), owner, quotas({ kvMaxBytes: 100 }))
    await store.put('k', 'x'.repeat(60), { metadata: { n: 1 } })
    await expect(store.put('big', 'x'.repeat(60))).rejects.toThrow('TENANT_KV_MAX_BYTES exceeded')
    expect(await store.get('big')).toBeNull()
    // Replacing a value counts the difference only.
    await store.put('k', 'x'.repeat(90))
    expect((await storageUsage(env, owner)).kv).toEqual({ keys: 1, bytes: 91 })
  })

  it('expired keys stop counting when a quota would refuse', async () => {
    const owner = await ref()
    let now = Date.now()
    const store = new TenantKvStore(
      env.TENANT_KV,
      () => kvLedger(env, owner),
      owner,
      quotas({ kvMaxKeys: 1 }),
      () => now,
    )
    await store.put('session', 'x', { expirationTtl: 60 })
    // 61 s later by the store's clock, the session key has expired: it no longer counts.
    now += 61_000
    await store.put('next', 'y')
    expect((await storageUsage(env, owner)).kv.keys).toBe(1)
  })

  it("a 60-second TTL reaches KV as a TTL, so it holds however far the store's clock is from KV's", async () => {
    const owner = await ref()
    // Two seconds behind: a TTL turned into a time here would arrive at KV 58 s ahead and be refused.
    const store = new TenantKvStore(
      env.TENANT_KV,
      () => kvLedger(env, owner),
      owner,
      quotas({}),
      () => Date.now() - 2_000,
    )
    await store.put('session', 'x', { expirationTtl: 60 })
    expect(await store.get('session')).toBe('x')
  })

  it("TENANT_SQL_MAX_BYTES (this Worker's config, 1 MiB in vitest.config.ts): the statement that outgrows the database is rolled back", async () => {
    const database = sqlObject(env, await ref())
    await database.query([{ sql: 'CREATE TABLE blobs (b BLOB)', params: [] }])
    // Awaited inside a plain promise: expect() probes properties of what it is given, and each probe
    // of an RPC promise is a pipelined call that rejects too, unhandled.
    const insert = async () =>
      database.query([{ sql: 'INSERT INTO blobs VALUES (zeroblob(?))', params: [2 * 1024 * 1024] }])
    await expect(insert()).rejects.toThrow(
      "TENANT_SQL_MAX_BYTES exceeded: this worker's database may hold at most 1048576 bytes.",
    )
    const [count] = await database.query([{ sql: 'SELECT count(*) FROM blobs', params: [] }])
    expect(count?.rows).toEqual([[0]])
  })

  it("a worker's database object does no ledger work, nor the ledger SQL: a loaded Worker holds its database's stub", async () => {
    const owner = await ref()
    const database = sqlObject(env, owner)
    // Ledger entries written into the database object would grow it past TENANT_SQL_MAX_BYTES unchecked.
    const reserve = async () => database.reserveKv('k', 10, undefined, quotas(), Date.now())
    await expect(reserve()).rejects.toThrow("This object is not a worker's KV ledger.")
    const release = async () => database.releaseKv('k')
    await expect(release()).rejects.toThrow("This object is not a worker's KV ledger.")
    const query = async () => kvLedger(env, owner).query([{ sql: 'SELECT 1', params: [] }])
    await expect(query()).rejects.toThrow("This object is not a worker's database.")
    // What the tenant sends is checked by the object itself, whoever forwards it.
    const malformed = async () => database.query([{ sql: 42 }] as never)
    await expect(malformed()).rejects.toThrow('D1_ERROR: a statement needs SQL text.')
  })

  it('TENANT_STORAGE_OPS_PER_SECOND: calls beyond the quota within a second are refused, then allowed again', () => {
    const name = uniqueName('ops')
    const limit = { opsPerSecond: 3 }
    const start = 1_000_000
    for (let i = 0; i < 3; i++) countOperation(name, limit, start + i)
    expect(() => countOperation(name, limit, start + 10)).toThrow(
      'TENANT_STORAGE_OPS_PER_SECOND exceeded: this worker may make at most 3 storage calls (env.KV, env.DB) per second.',
    )
    expect(() => countOperation(name, limit, start + 1000)).not.toThrow()
  })

  it("is refused inside the tenant's code with an Error naming the quota (vitest.config.ts sets small quotas)", async () => {
    const name = uniqueName('quota-e2e')
    const res = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: STORAGE_SCRIPT, storage: { kv: true, sql: true } }),
    })
    expect(res.status).toBe(201)
    const run = async (route: string, body: unknown) =>
      (await platform(`/user-workers/${name}/${route}`, { method: 'POST', body: JSON.stringify(body) })).json()
    expect(await run('kv-many', { count: 41 })).toEqual({
      error: 'TENANT_KV_MAX_KEYS exceeded: this worker may keep at most 40 keys in env.KV.',
    })
    await run('sql-exec', { sql: 'CREATE TABLE blobs (b BLOB)' })
    expect(await run('sql-run', { sql: 'INSERT INTO blobs VALUES (zeroblob(?))', params: [2 * 1024 * 1024] })).toEqual({
      error: "D1_ERROR: TENANT_SQL_MAX_BYTES exceeded: this worker's database may hold at most 1048576 bytes.",
    })
    // The worker page shows the usage.
    const page = await (await platform(`/workers/${name}`)).text()
    expect(page).toContain('40 keys')
    expect(page).toMatch(/1 tables?, /)
  })
})
