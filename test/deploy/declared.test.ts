import { describe, expect, it } from 'vitest'
import type { DeclaredEnv } from '../../src/deploy/build'
import { bothBackends } from '../backends/namespace-double'
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
        d1: [{ binding: 'DB', migrationsDir: 'migrations' }],
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

describe.each(bothBackends(1))("a project's JSON vars on $kind", ({ call }) => {
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
