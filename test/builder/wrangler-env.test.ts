import { describe, expect, it } from 'vitest'
import { BuildFailed } from '../../builder/src/failure'
import { readProjectConfig } from '../../builder/src/project'
import { buildOk } from './helpers'

const encoder = new TextEncoder()
const declaredOf = (files: Record<string, string>) =>
  readProjectConfig(new Map(Object.entries(files).map(([path, content]) => [path, encoder.encode(content)]))).declared

describe("a wrangler config's env", () => {
  it('reads KV namespaces and D1 databases by their own names, string vars, crons and required secrets', () => {
    const declared = declaredOf({
      'wrangler.jsonc': JSON.stringify({
        name: 'my-app',
        kv_namespaces: [{ binding: 'AUTH_STORAGE', id: 'abc123' }, { binding: 'CACHE' }],
        d1_databases: [
          { binding: 'AUTH_DB', database_name: 'auth', database_id: 'd-1', migrations_dir: './db/migrations/' },
          { binding: 'DB' },
        ],
        vars: { GREETING: 'hi' },
        triggers: { crons: ['*/5 * * * *'] },
        secrets: { required: ['API_KEY'] },
        assets: { directory: 'public', binding: 'ASSETS' },
      }),
    })
    expect(declared).toEqual({
      file: 'wrangler.jsonc',
      kv: [{ binding: 'AUTH_STORAGE', id: 'abc123' }, { binding: 'CACHE' }],
      d1: [
        { binding: 'AUTH_DB', databaseName: 'auth', databaseId: 'd-1', migrationsDir: 'db/migrations', migrations: [] },
        { binding: 'DB', migrationsDir: 'migrations', migrations: [] },
      ],
      vars: { GREETING: 'hi' },
      jsonVars: {},
      crons: ['*/5 * * * *'],
      assetsBinding: 'ASSETS',
      requiredSecrets: ['API_KEY'],
      unsupported: [],
      ignored: ['name'],
    })
  })

  it('lists every binding the platform does not provide, by key, kind and name, as toml too', () => {
    const declared = declaredOf({
      'wrangler.toml': [
        'name = "x"',
        'workers_dev = true',
        '[vars]',
        'LIMITS = { max = 3 }',
        '[[r2_buckets]]',
        'binding = "BUCKET"',
        'bucket_name = "b"',
        '[[services]]',
        'binding = "AUTH"',
        'service = "auth-worker"',
        '[ai]',
        'binding = "AI"',
        '[[queues.producers]]',
        'binding = "JOBS"',
        'queue = "jobs"',
        '[durable_objects]',
        'bindings = [{ name = "COUNTER", class_name = "Counter" }]',
        '[[migrations]]',
        'tag = "v1"',
        'new_sqlite_classes = ["Counter"]',
        '[env.staging]',
        'name = "x-staging"',
      ].join('\n'),
    })
    expect(declared?.unsupported).toEqual([
      { key: 'r2_buckets', kind: 'R2 bucket', binding: 'BUCKET' },
      { key: 'services', kind: 'service binding', binding: 'AUTH' },
      { key: 'ai', kind: 'Workers AI', binding: 'AI' },
      { key: 'queues.producers', kind: 'Queue producer', binding: 'JOBS' },
      { key: 'env', kind: 'named environment', binding: undefined },
    ])
    expect(declared?.ignored).toEqual(['name', 'workers_dev'])
    // Durable Objects of the project's own classes are provided (objects/), with their migrations.
    expect(declared?.durableObjects).toEqual([{ binding: 'COUNTER', className: 'Counter' }])
    expect(declared?.objectMigrations).toEqual([
      { tag: 'v1', newClasses: ['Counter'], renamedClasses: [], deletedClasses: [] },
    ])
    // A JSON var is read as its JSON text; the Worker gets the value.
    expect(declared?.jsonVars).toEqual({ LIMITS: '{"max":3}' })
  })

  it("lists each D1 database's migrations from its migrations_dir, by file name, as wrangler applies them", () => {
    const declared = declaredOf({
      'wrangler.json': JSON.stringify({
        d1_databases: [{ binding: 'DB' }, { binding: 'AUTH_DB', migrations_dir: 'db/migrations' }],
      }),
      'migrations/0002_tags.sql': 'CREATE TABLE tags (name TEXT);',
      'migrations/0001_notes.sql': 'CREATE TABLE notes (body TEXT);',
      'migrations/README.md': 'not a migration',
      'migrations/old/0000_x.sql': 'not in the folder itself',
      'db/migrations/0001_users.sql': 'CREATE TABLE users (id INTEGER);',
    })
    expect(declared?.d1.map((db) => db.migrations)).toEqual([
      [
        { name: '0001_notes.sql', sql: 'CREATE TABLE notes (body TEXT);' },
        { name: '0002_tags.sql', sql: 'CREATE TABLE tags (name TEXT);' },
      ],
      [{ name: '0001_users.sql', sql: 'CREATE TABLE users (id INTEGER);' }],
    ])
  })

  it('names the field of a binding off its shape', () => {
    let failure: unknown
    try {
      declaredOf({ 'wrangler.json': JSON.stringify({ kv_namespaces: [{ binding: '9lives' }] }) })
    } catch (error) {
      failure = error
    }
    expect(failure).toBeInstanceOf(BuildFailed)
    expect((failure as BuildFailed).errors[0]?.message).toBe(
      'wrangler.json: kv_namespaces[0].binding must be a binding name (letters, digits and _, not starting with a digit).',
    )
  })

  it('comes back with the build, and the keys read by no one here are a warning', async () => {
    const result = await buildOk({
      files: {
        'src/index.ts': 'export default { fetch: () => new Response("ok") }',
        'wrangler.json': JSON.stringify({ name: 'x', routes: ['example.com/*'], vars: { A: 'b' } }),
      },
    })
    expect(result.declared?.vars).toEqual({ A: 'b' })
    expect(result.warnings).toContain('wrangler.json: ignored on this platform: name, routes.')
  })
})
