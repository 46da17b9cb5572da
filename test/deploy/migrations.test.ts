import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { DeclaredEnv } from '../../src/deploy/build'
import { bothBackends, type BackendCall } from '../backends/namespace-double'
import { declaredWrangler, ownerIdOf, uniqueName } from '../helpers'

// D1 migrations a project brings (migrations/*.sql), applied at deploy as `wrangler d1 migrations
// apply` would (docs/bring-your-project.md). The builder double passes the declared env through;
// the real builder's listing of the files is test/builder/wrangler-env.test.ts.

const WORKER = (version: string) => `export default {
  async fetch(request, env) {
    const { results } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    return Response.json({ version: "${version}", tables: results.map((row) => row.name) });
  },
};`

const FIRST = { name: '0001_notes.sql', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);' }
const SECOND = { name: '0002_tags.sql', sql: "-- tags\nCREATE TABLE tags (name TEXT);\nINSERT INTO tags VALUES ('a');" }
const BROKEN = { name: '0003_broken.sql', sql: 'CREATE TABLE half (x);\nINSERT INTO missing VALUES (1);' }

const db = (migrations: { name: string; sql: string }[]): Partial<DeclaredEnv> => ({
  d1: [{ binding: 'DB', migrationsDir: 'migrations', migrations }],
})

async function deploy(
  call: BackendCall,
  name: string,
  version: string,
  declared: Partial<DeclaredEnv>,
  token?: string,
) {
  return call(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ files: { 'src/index.js': WORKER(version), 'wrangler.json': declaredWrangler(declared) } }),
  })
}

const tablesOf = async (call: BackendCall, name: string) =>
  (await call(`/user-workers/${name}`)).json<{ version: string; tables: string[] }>()

describe.each(bothBackends(4))('D1 migrations on $kind', ({ call }) => {
  it('applies each migration once, in order, recorded in d1_migrations as wrangler does', async () => {
    const name = uniqueName('migrate')
    const first = await deploy(call, name, 'v1', db([FIRST]))
    expect(first.status).toBe(201)
    const { token } = await first.json<{ token: string }>()
    expect(await tablesOf(call, name)).toEqual({ version: 'v1', tables: ['d1_migrations', 'notes'] })
    // The worker page says what a migration means for the other deployments.
    expect(await (await call(`/workers/${name}`)).text()).toContain(
      'a D1 migration a deploy applies changes the schema',
    )

    // The first again (it would fail if run twice: CREATE TABLE without IF NOT EXISTS), and a new one.
    expect((await deploy(call, name, 'v2', db([FIRST, SECOND]), token)).status).toBe(200)
    expect(await tablesOf(call, name)).toEqual({ version: 'v2', tables: ['d1_migrations', 'notes', 'tags'] })
    const ownerId = (await ownerIdOf(name))!
    const database = env.TENANT_DATABASES.getByName(`sql:${name}/${ownerId}`)
    const [recorded] = await database.query([{ sql: 'SELECT id, name FROM d1_migrations ORDER BY id', params: [] }])
    expect(recorded?.rows).toEqual([
      [1, '0001_notes.sql'],
      [2, '0002_tags.sql'],
    ])
  })

  it('refuses a deploy whose migration fails, naming the file and SQLite’s message; nothing changes', async () => {
    const name = uniqueName('migrate')
    const { token } = await (await deploy(call, name, 'v1', db([FIRST]))).json<{ token: string }>()
    const refused = await deploy(call, name, 'v2', db([FIRST, SECOND, BROKEN]), token)
    expect(refused.status).toBe(400)
    const { error } = await refused.json<{ error: { message: string } }>()
    expect(error.message).toMatch(
      /^The D1 migration migrations\/0003_broken\.sql of DB failed: .*no such table: missing/,
    )
    expect(error.message).toContain('the previous deployment still serves')
    // Not even 0002, which came before the broken one in the same deploy; and v1 serves.
    expect(await tablesOf(call, name)).toEqual({ version: 'v1', tables: ['d1_migrations', 'notes'] })
  })
})
