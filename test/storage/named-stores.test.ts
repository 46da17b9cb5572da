import { describe, expect, it } from 'vitest'
import type { DeclaredEnv } from '../../src/deploy/build'
import { env } from 'cloudflare:workers'
import { declaredWrangler, ownerIdOf, uniqueName } from '../helpers'
import { MAX_DECLARED_STORES } from '../../src/storage/refs'
import { bothBackends, type BackendCall } from '../backends/namespace-double'

// KV namespaces and D1 databases a project declares under its own names (docs/bring-your-project.md),
// on both backends. The projects go through the builder double, which passes wrangler.json's
// "x-declared" through as the build's declared env (the real builder's reading has its own tests).

const BACKENDS = bothBackends(5)
type Call = BackendCall

// As openauth-template binds them: a KV namespace and a D1 database, neither named KV or DB.
const AUTH: Partial<DeclaredEnv> = {
  kv: [{ binding: 'AUTH_STORAGE', id: 'a1b2c3' }],
  d1: [{ binding: 'AUTH_DB', databaseName: 'auth', migrationsDir: 'migrations' }],
}

const WORKER = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const kv = env[url.searchParams.get("kv") ?? "AUTH_STORAGE"];
    const db = env[url.searchParams.get("db") ?? "AUTH_DB"];
    try {
      if (url.pathname.endsWith("/write")) {
        await kv.put("user:1", url.searchParams.get("value"));
        await db.exec("CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT)");
        await db.prepare("INSERT OR REPLACE INTO users VALUES (1, ?)").bind(url.searchParams.get("value")).run();
      }
      const row = await db.prepare("SELECT name FROM users WHERE id = 1").first().catch(() => null);
      return Response.json({ kv: await kv.get("user:1"), db: row?.name ?? null, env: Object.keys(env).sort() });
    } catch (error) {
      return Response.json({ error: String(error.message) }, { status: 500 });
    }
  },
};`

async function deploy(
  call: Call,
  name: string,
  declared: Partial<DeclaredEnv>,
  token?: string,
): Promise<string | undefined> {
  const res = await call(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({
      files: { 'src/index.js': WORKER, 'wrangler.json': declaredWrangler(declared) },
    }),
  })
  if (res.status >= 300) throw new Error(`deploy answered ${res.status}: ${await res.text()}`)
  return (await res.json<{ token?: string }>()).token
}

const read = async (call: Call, name: string, query = '') =>
  (await call(`/user-workers/${name}/read${query}`)).json<{ kv: string | null; db: string | null; env: string[] }>()

describe.each(BACKENDS)('declared stores on $kind', ({ call }) => {
  it('binds them under their own names, apart from env.KV / env.DB and from each other', async () => {
    const name = uniqueName('named')
    const token = await deploy(call, name, {
      kv: [{ binding: 'AUTH_STORAGE', id: 'a1b2c3' }, { binding: 'KV' }],
      d1: [
        { binding: 'AUTH_DB', databaseName: 'auth', migrationsDir: 'migrations' },
        { binding: 'DB', migrationsDir: 'migrations' },
      ],
    })
    expect(token).toBeDefined()
    const written = await (
      await call(`/user-workers/${name}/write?value=ada`)
    ).json<{ kv: string; db: string; env: string[] }>()
    expect(written).toEqual({ kv: 'ada', db: 'ada', env: ['AUTH_DB', 'AUTH_STORAGE', 'DB', 'KV'] })
    // env.KV and env.DB are other stores: nothing of AUTH_* shows there.
    expect(await read(call, name, '?kv=KV&db=DB')).toMatchObject({ kv: null, db: null })
    await call(`/user-workers/${name}/write?value=kv-own&kv=KV&db=DB`)
    expect(await read(call, name)).toMatchObject({ kv: 'ada', db: 'ada' })
  })

  it('keeps their data across deploys, a renamed binding and a binding leaving the config; deleting the worker deletes every store', async () => {
    const name = uniqueName('named')
    const token = (await deploy(call, name, AUTH))!
    await call(`/user-workers/${name}/write?value=grace`)
    // Renamed bindings, the same ids: the same stores.
    await deploy(
      call,
      name,
      {
        kv: [{ binding: 'SESSIONS', id: 'a1b2c3' }],
        d1: [{ binding: 'USERS', databaseName: 'auth', migrationsDir: 'migrations' }],
      },
      token,
    )
    expect(await read(call, name, '?kv=SESSIONS&db=USERS')).toMatchObject({
      kv: 'grace',
      db: 'grace',
      env: ['SESSIONS', 'USERS'],
    })
    // Back to the first names: still there.
    await deploy(call, name, AUTH, token)
    expect(await read(call, name)).toMatchObject({ kv: 'grace', db: 'grace' })

    // A binding leaves the config: its data stays until the worker is deleted.
    await deploy(call, name, { kv: [{ binding: 'OTHER', id: 'zz' }] }, token)
    await call(`/user-workers/${name}/write?value=other&kv=OTHER&db=OTHER`).catch(() => undefined)
    await deploy(call, name, AUTH, token)
    expect(await read(call, name)).toMatchObject({ kv: 'grace', db: 'grace' })

    const ownerId = (await ownerIdOf(name))!
    expect((await env.TENANT_KV.list({ prefix: `${name}/${ownerId}:a1b2c3/` })).keys).toHaveLength(1)
    const deleted = await call(`/api/workers/${name}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(deleted.status).toBe(200)
    // Every store it ever declared is gone: KV keys, and each store's database object.
    expect((await env.TENANT_KV.list({ prefix: `${name}/${ownerId}` })).keys).toEqual([])
    for (const store of ['a1b2c3', 'auth']) {
      const database = env.TENANT_DATABASES.getByName(`sql:${name}/${ownerId}:${store}`)
      expect(await database.sqlUsage()).toMatchObject({ tables: 0 })
    }
    await deploy(call, name, AUTH)
    expect(await read(call, name)).toMatchObject({ kv: null, db: null })
  })

  it('reads data env.KV and env.DB wrote before declared stores existed, through a project that binds KV and DB', async () => {
    const name = uniqueName('named')
    const first = await call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: WORKER, storage: { kv: true, sql: true } }),
    })
    const { token } = await first.json<{ token: string }>()
    await call(`/user-workers/${name}/write?value=before&kv=KV&db=DB`)
    // Today's layout, as env.KV wrote it: <name>/<owner>/<key>.
    const ownerId = (await ownerIdOf(name))!
    expect(await env.TENANT_KV.get(`${name}/${ownerId}/user:1`)).toBe('before')
    await deploy(
      call,
      name,
      { kv: [{ binding: 'KV', id: 'cf-id' }], d1: [{ binding: 'DB', migrationsDir: 'migrations' }] },
      token,
    )
    expect(await read(call, name, '?kv=KV&db=DB')).toMatchObject({ kv: 'before', db: 'before' })
  })

  it('lists each store on the worker page, and exports one by its store ID to the owner', async () => {
    const name = uniqueName('named')
    const token = (await deploy(call, name, AUTH))!
    await call(`/user-workers/${name}/write?value=lin`)
    // The KV binding leaves the config: its store stays, listed as no longer bound.
    await deploy(call, name, { d1: AUTH.d1 }, token)
    const page = await (await call(`/workers/${name}`)).text()
    const storage = page.slice(page.indexOf('id="storage-heading"'), page.indexOf('id="rotate-heading"'))
    expect(storage).toContain('<code>env.AUTH_DB</code> (D1)')
    expect(storage).toContain('store &quot;a1b2c3&quot;, no longer bound')
    expect(storage).toContain('1 keys')
    const auth = { headers: { Authorization: `Bearer ${token}` } }
    const kv = await call(`/api/workers/${name}/data/kv?store=a1b2c3`, auth)
    expect(kv.status).toBe(200)
    expect(JSON.parse((await kv.text()).trim())).toMatchObject({ key: 'user:1', value: 'lin' })
    const sql = await call(`/api/workers/${name}/data/sql?store=auth`, auth)
    expect(await sql.text()).toContain(`INSERT INTO "users" VALUES(1,'lin');`)
    expect((await call(`/api/workers/${name}/data/kv?store=someone-else`, auth)).status).toBe(404)
    expect((await call(`/api/workers/${name}/data/kv?store=a1b2c3`)).status).toBe(403)
  })

  it(`refuses a deploy that would make more than ${MAX_DECLARED_STORES} declared stores over the worker's life`, async () => {
    const name = uniqueName('named')
    const kv = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ binding: `KV_${from + i}`, id: `ns-${from + i}` }))
    const token = (await deploy(call, name, { kv: kv(0, MAX_DECLARED_STORES - 1) }))!
    // The ones that left the config still count: their data stays until the worker is deleted.
    await deploy(call, name, { kv: kv(MAX_DECLARED_STORES - 1, 1) }, token)
    const refused = await call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({
        files: { 'src/index.js': WORKER, 'wrangler.json': declaredWrangler({ kv: kv(100, 1) }) },
      }),
    })
    expect(refused.status).toBe(400)
    expect((await refused.json<{ error: { message: string } }>()).error.message).toContain(
      `at most ${MAX_DECLARED_STORES} KV namespaces and D1 databases over its life`,
    )
  })

  it("keeps one tenant's declared stores from another's that declares the same ids", async () => {
    const [mine, theirs] = [uniqueName('named'), uniqueName('named')]
    await deploy(call, mine, AUTH)
    await deploy(call, theirs, AUTH)
    await call(`/user-workers/${mine}/write?value=mine`)
    expect(await read(call, theirs)).toMatchObject({ kv: null, db: null })
  })
})
