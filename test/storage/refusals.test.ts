import { runInDurableObject } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../src/core/config'
import { RETIRED_OWNER } from '../../src/core/generation'
import { asRefusal, attempt, refusal } from '../../src/storage/refusal'
import { kvLedger, sqlObject } from '../../src/storage/store'
import { callWatchingForTheToken } from '../backends/namespace-double'
import { claimedRef, platform, uniqueName } from '../helpers'

// The storage entrypoints and objects answer a refusal as a value (storage/refusal.ts): an
// exception that leaves an RPC method is logged as uncaught in the platform's isolate, though it is
// the tenant's to handle (.ci/expected-uncaught.txt). The facades in the tenant's isolate throw it
// there, so the tenant's code gets the Error it always got.

const refused = (message: string) => ({ ok: false, error: { name: 'Error', message } })

describe('storage refusals cross as values', () => {
  it("TenantKV's try methods resolve with the refusal; what they allow, with the value", async () => {
    const kv = exports.TenantKV({ props: await claimedRef('refuse-kv') })
    expect(await kv.tryPut('k', 'v', { expirationTtl: 30 })).toEqual(
      refused('KV PUT failed: Invalid expiration_ttl of 30. Expiration TTL must be at least 60.'),
    )
    expect(await kv.tryGet('')).toEqual(refused('KV key must be a non-empty string other than "." and "..".'))
    expect(await kv.tryList({ limit: 0 })).toEqual(
      refused('KV LIST failed: limit must be a whole number from 1 to 1000.'),
    )
    expect(await kv.tryPut('k', 'v')).toEqual({ ok: true, value: undefined })
    expect(await kv.tryGet('k')).toEqual({ ok: true, value: 'v' })
    expect(await kv.tryDelete('k')).toEqual({ ok: true, value: undefined })
  })

  it("the KV ledger answers a quota's or a deleted owner's refusal as a value", async () => {
    const quotas = { ...DEFAULTS.storageQuotas, kvMaxKeys: 0 }
    expect(await kvLedger(env, await claimedRef('refuse-ledger')).reserveKv('k', 10, undefined, quotas)).toEqual(
      refused('TENANT_KV_MAX_KEYS exceeded: this worker may keep at most 0 keys in env.KV.'),
    )
    // An owner deleted before its ledger was first asked (the ledger asks the name once per life).
    const gone = await claimedRef('refuse-gone')
    await runInDurableObject(env.NAME_CLAIMS.getByName(gone.name), (_object, state) => state.storage.delete('owner'))
    const ledger = kvLedger(env, gone)
    expect(await ledger.reserveKv('k', 10, undefined, DEFAULTS.storageQuotas)).toEqual(
      refused(`KV PUT failed: ${RETIRED_OWNER}`),
    )
    expect(await ledger.releaseKv('k')).toEqual(refused(`KV DELETE failed: ${RETIRED_OWNER}`))
  })

  it("the database's tryQuery and tryExec resolve with what SQLite or a check refused", async () => {
    const database = sqlObject(env, await claimedRef('refuse-sql'))
    expect(await database.tryExec('CREATE TABLE t (x)')).toMatchObject({ ok: true, value: { count: 1 } })
    expect(await database.tryQuery([{ sql: 'SELECT * FROM missing', params: [] }])).toEqual(
      refused('no such table: missing: SQLITE_ERROR'),
    )
    expect(await database.tryQuery([{ sql: 'SELECT nope FROM t', params: [] }])).toEqual(
      refused('no such column: nope at offset 7: SQLITE_ERROR'),
    )
    expect(await database.tryQuery([{ sql: 42 }] as never)).toEqual(refused('D1_ERROR: a statement needs SQL text.'))
    expect(await database.tryExec(' ')).toEqual(refused('D1_EXEC_ERROR: exec() needs SQL text.'))
    expect(await database.tryQuery([{ sql: 'SELECT count(*) FROM t', params: [] }])).toMatchObject({
      ok: true,
      value: [{ rows: [[0]] }],
    })
  })

  it('only refusals become values: a fault of the platform still throws', async () => {
    await expect(attempt(() => Promise.reject(new Error('the platform broke')))).rejects.toThrow('the platform broke')
    await expect(attempt(() => Promise.reject(refusal('no')))).resolves.toEqual(refused('no'))
    await expect(attempt(() => Promise.reject(asRefusal(new TypeError('bad'))))).resolves.toEqual({
      ok: false,
      error: { name: 'TypeError', message: 'bad' },
    })
  })
})

/** A tenant that reports what a refused storage call threw in its code: the Error's type, name, message and cause. */
const REPORTER = `function describe(error) {
  return error && { type: error.constructor.name, name: error.name, message: error.message, remote: error.remote, cause: describe(error.cause) };
}
export default {
  async fetch(request, env) {
    const route = new URL(request.url).pathname.split("/").pop();
    try {
      if (route === "kv") await env.KV.put("k", "v", { expirationTtl: 30 });
      if (route === "sql") await env.DB.prepare("SELECT * FROM missing").all();
      if (route === "exec") await env.DB.exec("SELECT * FROM missing");
      return Response.json({ threw: null });
    } catch (error) {
      return Response.json({ threw: describe(error) });
    }
  },
};`

const namespace = callWatchingForTheToken(2)

describe.each([
  { kind: 'dynamic-workers', call: platform },
  { kind: 'dispatch-namespace', call: namespace.call },
])("a refusal reaches the tenant's code as the Error it always got ($kind)", ({ call }) => {
  it('env.KV: the Error RPC gave (remote: true); env.DB: D1_ERROR with that Error as its cause', async () => {
    const name = uniqueName('refuse-tenant')
    const deployed = await call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: REPORTER, storage: { kv: true, sql: true } }),
    })
    expect(deployed.status).toBe(201)
    const threw = async (route: string) =>
      (await (await call(`/user-workers/${name}/${route}`)).json<{ threw: unknown }>()).threw
    expect(await threw('kv')).toEqual({
      type: 'Error',
      name: 'Error',
      message: 'KV PUT failed: Invalid expiration_ttl of 30. Expiration TTL must be at least 60.',
      remote: true,
    })
    const cause = { type: 'Error', name: 'Error', message: 'no such table: missing: SQLITE_ERROR', remote: true }
    for (const route of ['sql', 'exec']) {
      expect(await threw(route)).toEqual({
        type: 'Error',
        name: 'Error',
        message: 'D1_ERROR: no such table: missing: SQLITE_ERROR',
        cause,
      })
    }
  })
})
