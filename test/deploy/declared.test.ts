import { describe, expect, it } from 'vitest'
import type { DeclaredEnv } from '../../src/deploy/build'
import { bothBackends, recorded } from '../backends/namespace-double'
import { declaredWrangler, platform, uniqueName } from '../helpers'

// A project's wrangler config, as the builder declares it (test/doubles/builder.js passes
// wrangler.json's "x-declared" through; the real builder's reading is test/builder/wrangler-env.test.ts).

function deploy(name: string, declared: Partial<DeclaredEnv>, source: string, settings: object = {}) {
  return platform(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      ...settings,
      files: { 'src/index.js': source, 'wrangler.json': declaredWrangler(declared, 'wrangler.jsonc') },
    }),
  })
}

const ENV_ECHO =
  'export default { fetch(request, env) { return Response.json(Object.keys(env).sort().map((key) => [key, typeof env[key] === "string" ? env[key] : typeof env[key]])) } }'

// Once per file: each call watches the console for the API token (namespace-double.ts).
const BACKENDS = bothBackends(2)

describe("a project's declared env", () => {
  it('refuses what the platform does not provide, naming each binding, and deploys nothing', async () => {
    const name = uniqueName('declared')
    const res = await deploy(
      name,
      {
        unsupported: [
          { key: 'r2_buckets', kind: 'R2 bucket', binding: 'BUCKET' },
          { key: 'env', kind: 'named environment' },
        ],
        kv: [{ binding: 'AUTH_STORAGE', id: 'x'.repeat(65) }],
      },
      ENV_ECHO,
    )
    expect(res.status).toBe(400)
    const { error } = await res.json<{ error: { message: string } }>()
    expect(error.message).toBe(
      [
        'wrangler.jsonc declares what this platform does not provide:',
        '- r2_buckets: R2 bucket "BUCKET"',
        '- env: named environment',
        '- kv_namespaces: KV namespace with an id of more than 64 characters "AUTH_STORAGE"',
        'Remove them from wrangler.jsonc to deploy here.',
      ].join('\n'),
    )
    expect((await platform(`/api/workers/${name}`)).status).toBe(404)
  })

  it('gives the Worker its vars (the upload’s own win), env.KV and env.DB, and its crons', async () => {
    const name = uniqueName('declared')
    const res = await deploy(
      name,
      {
        vars: { GREETING: 'from config', MODE: 'config' },
        kv: [{ binding: 'KV' }],
        // env.DB's own database, whatever its name: a long one is no store ID to refuse.
        d1: [{ binding: 'DB', databaseName: 'd'.repeat(65), migrationsDir: 'migrations' }],
        crons: ['0 3 * * *'],
      },
      `${ENV_ECHO.slice(0, -1)}, scheduled() {} }`,
      { vars: { MODE: 'upload' } },
    )
    expect(res.status).toBe(201)
    expect((await res.json<{ crons: string[] }>()).crons).toEqual(['0 3 * * *'])
    const env = await (await platform(`/user-workers/${name}`)).json()
    expect(env).toEqual([
      ['DB', 'object'],
      ['GREETING', 'from config'],
      ['KV', 'object'],
      ['MODE', 'upload'],
    ])
  })

  it('refuses a deploy until the secrets the config requires exist, naming them', async () => {
    const name = uniqueName('declared')
    const refused = await deploy(name, { requiredSecrets: ['API_KEY', 'SIGNING_KEY'] }, ENV_ECHO, {
      secrets: { API_KEY: 'k' },
    })
    expect(refused.status).toBe(400)
    expect((await refused.json<{ error: { message: string } }>()).error.message).toBe(
      'wrangler.jsonc requires the secret "SIGNING_KEY": set it with this upload\'s secrets (or an earlier one\'s), then deploy again.',
    )
    const ok = await deploy(name, { requiredSecrets: ['API_KEY', 'SIGNING_KEY'] }, ENV_ECHO, {
      secrets: { API_KEY: 'k', SIGNING_KEY: 's' },
    })
    expect(ok.status).toBe(201)
  })
})

describe.each(BACKENDS)("a project's JSON vars on $kind", ({ call }) => {
  it('reach the Worker as values, as Cloudflare json bindings do; the upload’s own var of a name wins', async () => {
    const name = uniqueName('jsonvars')
    const worker = `export default { fetch(request, env) { return Response.json({ max: env.LIMITS.max, on: env.ON === true, list: env.LIST, mode: env.MODE }) } }`
    const res = await call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        vars: { MODE: 'upload' },
        files: {
          'src/index.js': worker,
          'wrangler.json': declaredWrangler({
            jsonVars: { LIMITS: '{"max":3}', ON: 'true', LIST: '[1,"two"]', MODE: '{"from":"config"}' },
          }),
        },
      }),
    })
    expect(res.status).toBe(201)
    // Listed by name with the others, never with their values.
    const { settings } = await res.json<{ settings: { vars: string[] } }>()
    expect(settings.vars.sort()).toEqual(['LIMITS', 'LIST', 'MODE', 'ON'])
    expect(await (await call(`/user-workers/${name}`)).json()).toEqual({
      max: 3,
      on: true,
      list: [1, 'two'],
      mode: 'upload',
    })
  })
})

describe("a project's assets binding", () => {
  const project = (worker: string) => ({
    files: {
      'src/index.js': worker,
      'public/hello.txt': 'hello from an asset',
      'wrangler.json': JSON.stringify({
        ...(JSON.parse(declaredWrangler({ assetsBinding: 'ASSETS' })) as object),
        assets: { run_worker_first: true },
      }),
    },
  })
  const put = (call: typeof platform, name: string, body: unknown) =>
    call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('dynamic-workers: env.ASSETS.fetch() serves the assets to a Worker that runs first; a missing one is a 404', async () => {
    const name = uniqueName('assetsbinding')
    const worker = `export default { async fetch(request, env) {
      if (new URL(request.url).pathname.endsWith("/api")) return new Response("from the Worker");
      const asset = await env.ASSETS.fetch(request);
      return new Response("via ASSETS: " + (await asset.text()), { status: asset.status });
    } }`
    expect((await put(platform, name, project(worker))).status).toBe(201)
    expect(await (await platform(`/user-workers/${name}/api`)).text()).toBe('from the Worker')
    const asset = await platform(`/user-workers/${name}/hello.txt`)
    expect(asset.status).toBe(200)
    expect(await asset.text()).toBe('via ASSETS: hello from an asset')
    expect((await platform(`/user-workers/${name}/missing.txt`)).status).toBe(404)
  })

  it("dispatch-namespace: is Cloudflare's own assets binding in the script's upload", async () => {
    const name = uniqueName('assetsbinding')
    const namespaceCall = BACKENDS[1].call
    const res = await put(namespaceCall, name, project('export default { fetch: () => new Response("ok") }'))
    expect(res.status).toBe(201)
    // Scripts are uploaded under their Worker ID: this deploy's is the last upload with metadata.
    const upload = (await recorded())
      .filter((entry) => entry.method === 'PUT' && entry.parts.some((part) => part.field === 'metadata'))
      .at(-1)
    const metadata = JSON.parse(upload?.parts.find((part) => part.field === 'metadata')?.content ?? '{}') as {
      bindings: unknown[]
    }
    expect(metadata.bindings).toContainEqual({ type: 'assets', name: 'ASSETS' })
  })
})
