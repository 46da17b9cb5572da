import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { textareaContent, uniqueName, uploadFormWithCode } from '../helpers'
import { bothBackends, type BackendCall } from '../backends/namespace-double'
import { STORAGE_SCRIPT } from './tenant-scripts'

// One suite, run against both backends: what a tenant's code sees of env.KV and env.DB must not
// depend on where it runs. dispatch-namespace runs through the API double and the dispatcher
// stand-in, which binds the service bindings of the upload's metadata to this Worker's entrypoints.

const BACKENDS = bothBackends(5)

type Call = BackendCall

interface Tenant {
  name: string
  token: string
  workerId: string
  /** Calls a route of the tenant's code with a JSON body; resolves to the JSON it answered. */
  run: <T = Record<string, unknown>>(route: string, body?: unknown) => Promise<T>
}

/** Deploys the storage script under a fresh name with storage on (or as `storage` says). */
async function deployTenant(
  call: Call,
  storage: { kv?: boolean; sql?: boolean } = { kv: true, sql: true },
  script = STORAGE_SCRIPT,
): Promise<Tenant> {
  const name = uniqueName('st')
  const res = await call(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ script, storage }),
  })
  if (res.status !== 201) throw new Error(`deploy answered ${res.status}: ${await res.text()}`)
  const { token, workerId } = await res.json<{ token: string; workerId: string }>()
  return { name, token, workerId, run: runner(call, name) }
}

function runner(call: Call, name: string) {
  return async <T>(route: string, body: unknown = {}): Promise<T> => {
    const res = await call(`/user-workers/${name}/${route}`, { method: 'POST', body: JSON.stringify(body) })
    return res.json<T>()
  }
}

/** What the tenant's script answers when a storage call threw an Error whose message matches. */
function threw(pattern: string | RegExp): { error: unknown } {
  const matcher: unknown =
    typeof pattern === 'string' ? expect.stringContaining(pattern) : expect.stringMatching(pattern)
  return { error: matcher }
}

async function redeploy(call: Call, tenant: Tenant, body: Record<string, unknown>): Promise<string> {
  const res = await call(`/api/workers/${tenant.name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tenant.token}` },
    body: JSON.stringify({ script: STORAGE_SCRIPT, ...body }),
  })
  if (res.status !== 200) throw new Error(`redeploy answered ${res.status}: ${await res.text()}`)
  return (await res.json<{ workerId: string }>()).workerId
}

describe.each(BACKENDS)('tenant storage on $kind', ({ call }) => {
  it('binds env.KV and env.DB only when the settings ask for them, and keeps them per deployment', async () => {
    const tenant = await deployTenant(call, { kv: true })
    expect(await tenant.run('bindings')).toEqual({ kv: true, db: false })
    await redeploy(call, tenant, { storage: { sql: true } })
    expect(await tenant.run('bindings')).toEqual({ kv: true, db: true })
    // Omitted: the current deployment's storage stays.
    await redeploy(call, tenant, {})
    expect(await tenant.run('bindings')).toEqual({ kv: true, db: true })
    await redeploy(call, tenant, { storage: { kv: false, sql: false } })
    expect(await tenant.run('bindings')).toEqual({ kv: false, db: false })
  })

  it('"Upload a new version" shows the code as uploaded, without the D1 module the platform added', async () => {
    const tenant = await deployTenant(call)
    const html = await (await uploadFormWithCode(tenant.name, tenant.token, call)).text()
    expect(textareaContent(html)).toBe(STORAGE_SCRIPT)
  })

  it("a cron run's scheduled() gets the same env.KV and env.DB as fetch()", async () => {
    const script = `export default {
  async scheduled(controller, env) {
    await env.KV.put("cron", controller.cron);
    await env.DB.exec("CREATE TABLE IF NOT EXISTS runs (cron TEXT); INSERT INTO runs VALUES ('" + controller.cron + "')");
  },
  async fetch(request, env) {
    const row = await env.DB.prepare("SELECT cron FROM runs").first();
    return Response.json({ kv: await env.KV.get("cron"), db: row?.cron ?? null });
  },
};`
    const name = uniqueName('st-cron')
    const deployed = await call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script, storage: { kv: true, sql: true }, crons: ['0 0 * * *'] }),
    })
    expect(deployed.status).toBe(201)
    const { token } = await deployed.json<{ token: string }>()
    const run = await call(`/api/workers/${name}/cron/run`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(await run.json()).toMatchObject({ outcome: 'ok' })
    expect(await (await call(`/user-workers/${name}`)).json()).toEqual({ kv: '0 0 * * *', db: '0 0 * * *' })
  })

  it('KV: put and get as text, json, arrayBuffer and stream, with metadata; delete', async () => {
    const tenant = await deployTenant(call)
    await tenant.run('kv-put', { key: 'greeting', value: '{"hello":"world"}', options: { metadata: { v: 1 } } })
    expect(await tenant.run('kv-get', { key: 'greeting' })).toEqual({ value: '{"hello":"world"}' })
    expect(await tenant.run('kv-get', { key: 'greeting', options: 'json' })).toEqual({ value: { hello: 'world' } })
    expect(await tenant.run('kv-get', { key: 'greeting', options: { type: 'json' } })).toEqual({
      value: { hello: 'world' },
    })
    expect(await tenant.run('kv-get', { key: 'greeting', options: 'stream' })).toEqual({ value: '{"hello":"world"}' })
    expect(await tenant.run('kv-meta', { key: 'greeting', options: 'json' })).toMatchObject({
      value: { hello: 'world' },
      metadata: { v: 1 },
    })
    await tenant.run('kv-put', { key: 'bytes', bytes: [0, 255, 7] })
    expect(await tenant.run('kv-get', { key: 'bytes', options: 'arrayBuffer' })).toEqual({ value: [0, 255, 7] })
    await tenant.run('kv-put', { key: 'streamed', value: 'from a stream', stream: true })
    expect(await tenant.run('kv-get', { key: 'streamed' })).toEqual({ value: 'from a stream' })
    await tenant.run('kv-delete', { key: 'greeting' })
    expect(await tenant.run('kv-get', { key: 'greeting' })).toEqual({ value: null })
    expect(await tenant.run('kv-meta', { key: 'greeting' })).toMatchObject({ value: null, metadata: null })
  })

  it('KV: list pages through keys with prefix, cursor and limit, without the platform prefix', async () => {
    const tenant = await deployTenant(call)
    await tenant.run('kv-many', { count: 5, prefix: 'item:' })
    await tenant.run('kv-put', { key: 'other', value: 'x' })
    const seen: string[] = []
    let cursor: string | undefined
    for (let page = 0; page < 5; page++) {
      const result = await tenant.run<{ keys: { name: string }[]; list_complete: boolean; cursor?: string }>(
        'kv-list',
        { prefix: 'item:', limit: 2, ...(cursor ? { cursor } : {}) },
      )
      seen.push(...result.keys.map((key) => key.name))
      if (result.list_complete) break
      expect(result.keys).toHaveLength(2)
      cursor = result.cursor
    }
    expect(seen).toEqual(['item:0', 'item:1', 'item:2', 'item:3', 'item:4'])
    const all = await tenant.run<{ keys: { name: string }[] }>('kv-list', {})
    expect(all.keys.map((key) => key.name)).toEqual(['item:0', 'item:1', 'item:2', 'item:3', 'item:4', 'other'])
  })

  it('KV: expirationTtl and expiration follow KV (at least 60 s ahead) and are kept with the key', async () => {
    const tenant = await deployTenant(call)
    expect(await tenant.run('kv-put', { key: 'short', value: 'x', options: { expirationTtl: 30 } })).toEqual(
      threw('Expiration TTL must be at least 60'),
    )
    const past = Math.floor(Date.now() / 1000) - 10
    expect(await tenant.run('kv-put', { key: 'past', value: 'x', options: { expiration: past } })).toEqual(
      threw('at least 60 seconds in the future'),
    )
    const before = Math.floor(Date.now() / 1000)
    await tenant.run('kv-put', { key: 'session', value: 'x', options: { expirationTtl: 120 } })
    const listed = await tenant.run<{ keys: { name: string; expiration?: number }[] }>('kv-list', {})
    const expiration = listed.keys.find((key) => key.name === 'session')?.expiration ?? 0
    expect(expiration).toBeGreaterThanOrEqual(before + 120)
    expect(expiration).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 120)
    // KV itself expires it: the platform's key carries the expiration.
    const raw = await env.TENANT_KV.list({ prefix: `${tenant.name}/` })
    expect(raw.keys.find((key) => key.name.endsWith('/session'))?.expiration).toBe(expiration)
  })

  it('SQL: the D1 API — prepare, bind, first, all, raw, run, exec', async () => {
    const tenant = await deployTenant(call)
    expect(
      await tenant.run('sql-exec', {
        sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, stars INTEGER); CREATE INDEX notes_stars ON notes (stars)',
      }),
    ).toMatchObject({ count: 2 })
    const inserted = await tenant.run<{ success: boolean; meta: Record<string, number | boolean> }>('sql-run', {
      sql: 'INSERT INTO notes (body, stars) VALUES (?, ?)',
      params: ['first', 3],
    })
    expect(inserted).toMatchObject({ success: true, meta: { changes: 1, last_row_id: 1, changed_db: true } })
    await tenant.run('sql-run', { sql: 'INSERT INTO notes (body, stars) VALUES (?1, ?2)', params: ['second', 5] })
    expect(await tenant.run('sql-all', { sql: 'SELECT body, stars FROM notes ORDER BY id' })).toMatchObject({
      success: true,
      results: [
        { body: 'first', stars: 3 },
        { body: 'second', stars: 5 },
      ],
    })
    expect(await tenant.run('sql-first', { sql: 'SELECT * FROM notes WHERE stars > ?', params: [4] })).toEqual({
      value: { id: 2, body: 'second', stars: 5 },
    })
    expect(await tenant.run('sql-first', { sql: 'SELECT count(*) AS n FROM notes', column: 'n' })).toEqual({ value: 2 })
    expect(await tenant.run('sql-first', { sql: 'SELECT * FROM notes WHERE id = 99' })).toEqual({ value: null })
    expect(
      await tenant.run('sql-raw', { sql: 'SELECT id, body FROM notes ORDER BY id', options: { columnNames: true } }),
    ).toEqual([
      ['id', 'body'],
      [1, 'first'],
      [2, 'second'],
    ])
    expect(await tenant.run('sql-all', { sql: 'SELECT nope FROM notes' })).toEqual(
      threw(/^D1_ERROR: .*no such column: nope/),
    )
  })

  it('SQL: withSession() gives prepare, batch and getBookmark over the same database; dump() says what to use', async () => {
    const tenant = await deployTenant(call)
    await tenant.run('sql-exec', { sql: 'CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (7)' })
    expect(await tenant.run('sql-session', { sql: 'SELECT n FROM t WHERE n = ?', params: [7] })).toMatchObject({
      first: { success: true, results: [{ n: 7 }] },
      batch: [{ success: true, results: [{ n: 7 }] }],
      bookmark: null,
    })
    expect(await tenant.run('sql-session', { sql: 'SELECT n FROM t', bookmark: 'first-primary' })).toMatchObject({
      first: { results: [{ n: 7 }] },
    })
    expect(await tenant.run('sql-dump')).toEqual(threw(/^D1_ERROR: dump\(\) is not available/))
  })

  it('SQL: a batch is one transaction — a failing statement undoes the others', async () => {
    const tenant = await deployTenant(call)
    await tenant.run('sql-exec', { sql: 'CREATE TABLE counter (n INTEGER)' })
    const results = await tenant.run<{ results: unknown[] }[]>('sql-batch', {
      statements: [{ sql: 'INSERT INTO counter VALUES (?)', params: [1] }, { sql: 'SELECT n FROM counter' }],
    })
    expect(results.map((result) => result.results)).toEqual([[], [{ n: 1 }]])
    expect(
      await tenant.run('sql-batch', {
        statements: [{ sql: 'INSERT INTO counter VALUES (2)' }, { sql: 'INSERT INTO missing VALUES (3)' }],
      }),
    ).toEqual(threw('no such table: missing'))
    expect(await tenant.run('sql-all', { sql: 'SELECT n FROM counter' })).toMatchObject({ results: [{ n: 1 }] })
  })

  it('keeps the data with the name across deploys, rollbacks and turning storage off and on', async () => {
    const tenant = await deployTenant(call)
    await tenant.run('kv-put', { key: 'kept', value: 'v1' })
    await tenant.run('sql-exec', { sql: "CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('v1')" })
    await redeploy(call, tenant, { label: 'v2' })
    expect(await tenant.run('kv-get', { key: 'kept' })).toEqual({ value: 'v1' })
    await redeploy(call, tenant, { storage: { kv: false, sql: false } })
    await redeploy(call, tenant, { storage: { kv: true, sql: true } })
    expect(await tenant.run('sql-first', { sql: 'SELECT v FROM t', column: 'v' })).toEqual({ value: 'v1' })
    const rollback = await call(`/api/workers/${tenant.name}/rollback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tenant.token}` },
      body: JSON.stringify({ deployment: tenant.workerId }),
    })
    expect(rollback.status).toBe(200)
    expect(await tenant.run('kv-get', { key: 'kept' })).toEqual({ value: 'v1' })
    expect(await tenant.run('sql-first', { sql: 'SELECT v FROM t', column: 'v' })).toEqual({ value: 'v1' })
  })

  it('deletes the data with the worker: the name claimed again starts empty', async () => {
    const tenant = await deployTenant(call)
    await tenant.run('kv-put', { key: 'doomed', value: 'x' })
    await tenant.run('sql-exec', { sql: 'CREATE TABLE doomed (v TEXT)' })
    const removed = await call(`/api/workers/${tenant.name}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${tenant.token}` },
    })
    expect(removed.status).toBe(200)
    expect((await env.TENANT_KV.list({ prefix: `${tenant.name}/` })).keys).toEqual([])

    const res = await call(`/api/workers/${tenant.name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: STORAGE_SCRIPT, storage: { kv: true, sql: true } }),
    })
    expect(res.status).toBe(201)
    const again = runner(call, tenant.name)
    expect(await again('kv-get', { key: 'doomed' })).toEqual({ value: null })
    expect(await again('sql-all', { sql: "SELECT name FROM sqlite_master WHERE type = 'table'" })).toMatchObject({
      results: [],
    })
  })

  it('exports KV as JSON lines and SQL as a dump, to the owner only', async () => {
    const tenant = await deployTenant(call)
    await tenant.run('kv-put', { key: 'a', value: 'text', options: { metadata: { tag: 1 } } })
    await tenant.run('kv-put', { key: 'b', bytes: [255, 0] })
    await tenant.run('sql-exec', {
      sql: "CREATE TABLE people (name TEXT, age INTEGER); INSERT INTO people VALUES ('O''Neil', 42)",
    })
    const auth = { headers: { Authorization: `Bearer ${tenant.token}` } }
    const kv = await call(`/api/workers/${tenant.name}/data/kv`, auth)
    expect(kv.status).toBe(200)
    expect(kv.headers.get('content-type')).toContain('application/x-ndjson')
    const lines = (await kv.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown)
    expect(lines).toEqual([
      { key: 'a', value: 'text', metadata: { tag: 1 } },
      { key: 'b', base64: '/wA=' },
    ])
    const sql = await call(`/api/workers/${tenant.name}/data/sql`, auth)
    expect(sql.status).toBe(200)
    const dump = await sql.text()
    expect(dump).toContain('CREATE TABLE people (name TEXT, age INTEGER);')
    expect(dump).toContain(`INSERT INTO "people" VALUES('O''Neil',42);`)
    expect((await call(`/api/workers/${tenant.name}/data/kv`)).status).toBe(403)
    const wrong = await call(`/api/workers/${tenant.name}/data/sql`, { headers: { Authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
    expect((await call(`/api/workers/${uniqueName('none')}/data/kv`, auth)).status).toBe(404)
  })

  it("isolates tenants: no key, prefix, cursor or SQL of A's code reaches B's data", async () => {
    const a = await deployTenant(call)
    const b = await deployTenant(call)
    await b.run('kv-put', { key: 'secret', value: 'b-only' })
    await b.run('kv-many', { count: 3, prefix: 'b' })
    await b.run('sql-exec', { sql: "CREATE TABLE secrets (v TEXT); INSERT INTO secrets VALUES ('b-only')" })
    const bRaw = (await env.TENANT_KV.list({ prefix: `${b.name}/` })).keys.map((key) => key.name)
    const bPrefix = bRaw[0]?.replace(/[^/]*$/, '') ?? ''
    expect(bPrefix).toMatch(new RegExp(`^${b.name}/o-`))

    for (const key of [`${bPrefix}secret`, `../${bPrefix}secret`, `/../../${bPrefix}secret`]) {
      expect(await a.run('kv-get', { key })).toEqual({ value: null })
    }
    expect(await a.run('kv-list', { prefix: `../${bPrefix}` })).toMatchObject({ keys: [] })
    // A cursor of B's listing, handed to A's list, yields none of B's keys.
    const bPage = await b.run<{ cursor?: string }>('kv-list', { limit: 1 })
    expect(bPage.cursor).toBeDefined()
    const crafted = [bPage.cursor, btoa(`${bPrefix}b0`), btoa(bPrefix)]
    for (const cursor of crafted) {
      const result = await a.run<{ keys?: { name: string }[] }>('kv-list', { cursor })
      expect(JSON.stringify(result)).not.toContain('secret')
      expect(JSON.stringify(result)).not.toMatch(/"b\d"/)
    }
    // A's writes stay in A's prefix whatever the key looks like.
    await a.run('kv-put', { key: `../${bPrefix}secret`, value: 'overwritten?' })
    expect(await b.run('kv-get', { key: 'secret' })).toEqual({ value: 'b-only' })

    expect(await a.run('sql-all', { sql: 'SELECT * FROM secrets' })).toEqual(threw('no such table: secrets'))
    for (const sql of [
      "ATTACH DATABASE 'b.sqlite' AS b",
      'PRAGMA database_list',
      'SELECT * FROM _cf_KV',
      'SELECT * FROM _cf_METADATA',
    ]) {
      expect(await a.run('sql-all', { sql })).toEqual(threw(/^D1_ERROR: /))
    }
    expect(await a.run('sql-all', { sql: "SELECT name FROM sqlite_master WHERE name NOT LIKE '_cf_%'" })).toMatchObject(
      {
        results: [],
      },
    )
    expect(await b.run('sql-first', { sql: 'SELECT v FROM secrets', column: 'v' })).toEqual({ value: 'b-only' })
  })
})
