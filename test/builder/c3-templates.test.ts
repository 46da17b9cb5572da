import { beforeAll, describe, expect, it } from 'vitest'
import { publishFixtures } from './fixtures'
import { buildOk } from './helpers'
import { serveBuilt } from './served'

// Cloudflare's own starter projects, as create-cloudflare (C3, a pinned devDependency) ships them in
// its package: each deployed as files from node_modules with its <WORKER_NAME> and
// <COMPATIBILITY_DATE> filled in as C3 fills them, built by the builder, then driven as its README
// says. Nothing of them is copied into this repository. hono's template has no package.json of its
// own (C3 writes one): the builder infers hono from its import (from the registry double).

const TEMPLATES = import.meta.glob<string>(
  [
    '/node_modules/create-cloudflare/templates/hello-world/ts/**/*',
    '/node_modules/create-cloudflare/templates/hello-world-with-assets/ts/**/*',
    '/node_modules/create-cloudflare/templates/scheduled/ts/**/*',
    '/node_modules/create-cloudflare/templates/hello-world-durable-object/ts/**/*',
    '/node_modules/create-cloudflare/templates/hono/workers/templates/**/*',
    // Their tests run under vitest-pool-workers, not on a deployment.
    '!**/test/**',
    '!**/vitest.config.*',
  ],
  { query: '?raw', import: 'default', eager: true },
)

/** A template's files as C3 writes them: placeholders filled, __dot__ names restored. */
function template(folder: string): Record<string, string> {
  const root = `/node_modules/create-cloudflare/templates/${folder}/`
  const files = Object.entries(TEMPLATES).filter(([path]) => path.startsWith(root))
  if (files.length === 0) throw new Error(`no template ${folder}`)
  return Object.fromEntries(
    files.map(([path, content]) => [
      path.slice(root.length).replace(/(^|\/)__dot__/, '$1.'),
      content.replaceAll('<WORKER_NAME>', 'my-app').replaceAll('<COMPATIBILITY_DATE>', '2026-11-01'),
    ]),
  )
}

beforeAll(publishFixtures)

describe("Cloudflare's starter projects (create-cloudflare's templates)", () => {
  it('hello-world: "Hello World!"', async () => {
    const visit = serveBuilt(await buildOk({ files: template('hello-world/ts') }), '')
    expect(await (await visit('https://my-app.example/')).text()).toBe('Hello World!')
  })

  it('hello-world-with-assets: public/index.html at /, the Worker at /message and /random, 404 elsewhere', async () => {
    const files = template('hello-world-with-assets/ts')
    const visit = serveBuilt(await buildOk({ files }), '')
    const home = await visit('https://my-app.example/', { headers: { 'Sec-Fetch-Mode': 'navigate' } })
    expect(home.status).toBe(200)
    expect(await home.text()).toBe(files['public/index.html'])
    expect(await (await visit('https://my-app.example/message')).text()).toBe('Hello, World!')
    expect(await (await visit('https://my-app.example/random')).text()).toMatch(/^[0-9a-f-]{36}$/)
    expect((await visit('https://my-app.example/nothing')).status).toBe(404)
  })

  it('scheduled: its cron declared, its fetch() says how to test it', async () => {
    const result = await buildOk({ files: template('scheduled/ts') })
    expect(result.declared?.crons).toEqual(['* * * * *'])
    expect(result.warnings).toContain('wrangler.jsonc: ignored on this platform: name, observability.')
    const visit = serveBuilt(result, '')
    expect(await (await visit('https://my-app.example/')).text()).toMatch(/^To test the scheduled handler/)
  })

  it('hono: GET /message answers from Hono, installed from its import', async () => {
    const result = await buildOk({ files: template('hono/workers/templates') })
    expect(Object.keys(result.dependencies)).toContain('hono')
    expect(result.declared?.assetsBinding).toBe('ASSETS')
    // Its Worker never calls env.ASSETS (the platform's TenantAssets has its own tests).
    const visit = serveBuilt(result, '')
    expect(await (await visit('https://my-app.example/message')).text()).toBe('Hello Hono!')
  })

  it('hello-world-durable-object: builds, its Durable Object binding and migration declared', async () => {
    const result = await buildOk({ files: template('hello-world-durable-object/ts') })
    expect(result.declared?.unsupported).toEqual([])
    expect(result.declared?.durableObjects).toEqual([{ binding: 'MY_DURABLE_OBJECT', className: 'MyDurableObject' }])
    expect(result.declared?.objectMigrations).toEqual([
      { tag: 'v1', newClasses: ['MyDurableObject'], renamedClasses: [], deletedClasses: [] },
    ])
  })
})
