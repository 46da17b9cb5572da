import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { DynamicWorkersBackend } from '../../src/backends/dynamic-workers'
import type { FetcherOptions } from '../../src/backends/backend'
import { platformFor } from '../../src/platform/index'
import { platform, uniqueName } from '../helpers'
import { ECHO_BUNDLE, asset, deployRelease, kvKeys, release } from './helpers'
import { releaseOf } from '../../src/deploy/projects'
import type { BuildSuccess } from '../../src/deploy/build'

const SITE = [
  asset('/index.html', '<h1>home</h1>'),
  asset('/about.html', '<h1>about</h1>'),
  asset('/app.js', 'console.log(1)', 'text/javascript; charset=utf-8'),
]

describe('static assets on dynamic-workers, through dispatch', () => {
  it('serves assets before the Worker; what matches none reaches the Worker', async () => {
    const name = uniqueName('assets')
    await deployRelease(name, release(ECHO_BUNDLE, SITE))

    const home = await platform(`/user-workers/${name}/`)
    expect(home.status).toBe(200)
    expect(home.headers.get('Content-Type')).toBe('text/html; charset=utf-8')
    expect(home.headers.get('Cache-Control')).toBe('public, max-age=0, must-revalidate')
    expect(home.headers.get('ETag')).toMatch(/^"[0-9a-f]{64}"$/)
    expect(await home.text()).toBe('<h1>home</h1>')

    const script = await platform(`/user-workers/${name}/app.js`)
    expect([script.status, script.headers.get('Content-Type'), await script.text()]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'console.log(1)',
    ])
    expect(await (await platform(`/user-workers/${name}/about`)).text()).toBe('<h1>about</h1>')

    const api = await platform(`/user-workers/${name}/api/users?x=1`)
    expect(await api.json()).toMatchObject({ path: '/api/users', search: '?x=1', prefix: `/user-workers/${name}` })
  })

  it('ETag → 304, HEAD without body, POST to an asset → 405, redirects keep the mount', async () => {
    const name = uniqueName('assets')
    await deployRelease(name, release(ECHO_BUNDLE, SITE))
    const etag = (await platform(`/user-workers/${name}/app.js`)).headers.get('ETag') ?? ''

    const again = await platform(`/user-workers/${name}/app.js`, { headers: { 'If-None-Match': etag } })
    expect([again.status, await again.text()]).toEqual([304, ''])

    const head = await platform(`/user-workers/${name}/app.js`, { method: 'HEAD' })
    expect([head.status, head.headers.get('ETag'), await head.text()]).toEqual([200, etag, ''])

    const post = await platform(`/user-workers/${name}/app.js`, { method: 'POST', body: 'x' })
    expect([post.status, post.headers.get('Allow')]).toEqual([405, 'GET, HEAD'])

    const moved = await platform(`/user-workers/${name}/about.html?q=1`)
    expect([moved.status, moved.headers.get('Location')]).toEqual([307, `/user-workers/${name}/about?q=1`])
  })

  it('run_worker_first rules send matching paths to the Worker even where an asset exists', async () => {
    const name = uniqueName('assets')
    const files = [...SITE, asset('/api/docs', 'docs'), asset('/api/shadowed', 'never served')]
    await deployRelease(name, release(ECHO_BUNDLE, files, { run_worker_first: ['/api/*', '!/api/docs'] }))
    expect(await (await platform(`/user-workers/${name}/api/shadowed`)).json()).toMatchObject({ path: '/api/shadowed' })
    expect(await (await platform(`/user-workers/${name}/api/docs`)).text()).toBe('docs')
  })

  it('a static site: no Worker, misses get not_found_handling or a plain 404', async () => {
    const plain = uniqueName('site')
    await deployRelease(plain, release(null, SITE))
    expect(await (await platform(`/user-workers/${plain}/`)).text()).toBe('<h1>home</h1>')
    const missing = await platform(`/user-workers/${plain}/nope`)
    expect([missing.status, await missing.text()]).toEqual([404, ''])
    expect((await platform(`/user-workers/${plain}/`, { method: 'POST' })).status).toBe(405)

    const spa = uniqueName('site')
    await deployRelease(spa, release(null, SITE, { not_found_handling: 'single-page-application' }))
    const deep = await platform(`/user-workers/${spa}/users/42`)
    expect([deep.status, await deep.text()]).toEqual([200, '<h1>home</h1>'])

    const pages = uniqueName('site')
    await deployRelease(pages, release(null, [...SITE, asset('/404.html', 'lost')], { not_found_handling: '404-page' }))
    const lost = await platform(`/user-workers/${pages}/a/b`)
    expect([lost.status, await lost.text()]).toEqual([404, 'lost'])
  })

  it('a rollback serves the assets of the deployment it returns to', async () => {
    const name = uniqueName('assets')
    const first = await deployRelease(name, release(null, [asset('/index.html', 'one')]))
    await deployRelease(name, release(null, [asset('/index.html', 'two')]), first.token)
    expect(await (await platform(`/user-workers/${name}/`)).text()).toBe('two')

    const ctx = createExecutionContext()
    await platformFor(env).deploys.promote(name, first.record.workerId, first.token, ctx)
    await waitOnExecutionContext(ctx)
    expect(await (await platform(`/user-workers/${name}/`)).text()).toBe('one')
  })

  it('refuses a file over KV’s 25 MiB and a run_worker_first rule wrangler would refuse', async () => {
    const big = new Uint8Array(25 * 1024 * 1024 + 1)
    const tooLarge = deployRelease(uniqueName('assets'), release(null, [{ ...asset('/big.bin', ''), content: big }]))
    await expect(tooLarge).rejects.toMatchObject({ code: 'script_too_large', status: 413 })
    const badRule = deployRelease(uniqueName('assets'), release(ECHO_BUNDLE, SITE, { run_worker_first: ['api/*'] }))
    await expect(badRule).rejects.toMatchObject({ code: 'invalid_request', status: 400 })
  })

  it('carries the assets to a secret change’s deployment, each deployment keeping its own copy', async () => {
    const name = uniqueName('assets')
    const first = await deployRelease(name, release(ECHO_BUNDLE, SITE))
    const ctx = createExecutionContext()
    const changed = await platformFor(env).deploys.changeSettings(
      name,
      { secrets: { API_KEY: 'k' } },
      'secret API_KEY set',
      first.token,
      ctx,
    )
    await waitOnExecutionContext(ctx)
    expect(changed.deployment.label).toBe('secret API_KEY set')
    expect(changed.deployment.build?.assets.count).toBe(SITE.length)
    expect(await (await platform(`/user-workers/${name}/about`)).text()).toBe('<h1>about</h1>')
    expect(await (await platform(`/user-workers/${name}/api`)).json()).toMatchObject({ path: '/api' })
    // Independent copies: the first deployment's files going does not take the new one's.
    await new DynamicWorkersBackend(env.WORKER_MAPPINGS, env.LOADER).remove(first.record.workerId)
    expect(await kvKeys(`asset/${first.record.workerId}/`)).toEqual([])
    expect(await (await platform(`/user-workers/${name}/app.js`)).text()).toBe('console.log(1)')
  })

  it('applies the project’s _redirects and _headers, refuses ones that do not parse, and never serves them', async () => {
    const name = uniqueName('assets')
    const rules = [
      asset('/_redirects', '/old /about 301\n/app/* /index.html 200\n'),
      asset('/_headers', '/*\n  X-Frame-Options: DENY\n'),
    ]
    // As the builder gives them: files of the assets directory (deploy/projects.ts takes them out).
    const success: BuildSuccess = {
      ok: true,
      worker: ECHO_BUNDLE,
      assets: [...SITE, ...rules],
      files: [],
      dependencies: {},
      warnings: [],
      cached: false,
    }
    const built = releaseOf(success, '2026-11-01')
    await deployRelease(name, built)
    const moved = await platform(`/user-workers/${name}/old`)
    expect([moved.status, moved.headers.get('Location')]).toEqual([301, `/user-workers/${name}/about`])
    const app = await platform(`/user-workers/${name}/app/settings`)
    expect([await app.text(), app.headers.get('X-Frame-Options')]).toEqual(['<h1>home</h1>', 'DENY'])
    // Not a file: the path reaches the Worker, which echoes the request.
    expect(await (await platform(`/user-workers/${name}/_headers`)).json()).toMatchObject({ path: '/_headers' })

    const broken = deployRelease(name, release(ECHO_BUNDLE, SITE, { _redirects: '/a /b 418' }))
    await expect(broken).rejects.toThrow('_redirects, line 1 ("/a /b 418"): the status must be one of')
    expect((await platform(`/user-workers/${name}/old`)).status).toBe(301)
  })
})

/** KV that records the keys read, to see what dispatch costs. */
function recordingKv(reads: string[]): KVNamespace {
  return new Proxy(env.WORKER_MAPPINGS, {
    get(target, property) {
      if (property === 'get') {
        return (key: string, type: never) => {
          reads.push(key)
          return target.get(key, type)
        }
      }
      const value: unknown = Reflect.get(target, property)
      return typeof value === 'function' ? (value.bind(target) as unknown) : value
    },
  })
}

function fetcherOptions(assets: boolean): FetcherOptions {
  return {
    name: 'kv-reads',
    settings: {
      vars: {},
      secretNames: [],
      egress: { mode: 'block-all', hosts: [] },
      limits: { cpuMs: 50, subRequests: 50 },
    },
    secrets: () => Promise.resolve({}),
    context: { hops: 0, platformHosts: ['platform.test'] },
    compatibility: { date: '2026-11-01', flags: [] },
    assets,
  }
}

const info = (ownerId: string, files = SITE) => ({
  name: 'kv-reads',
  ownerId,
  settings: fetcherOptions(false).settings,
  secrets: {},
  compatibility: { date: '2026-11-01', flags: [] },
  assets: { files, config: {} },
})

describe('the assets store', () => {
  it('a Worker without assets is dispatched without reading any manifest', async () => {
    const workerId = `w-test-${uniqueName()}`
    await new DynamicWorkersBackend(env.WORKER_MAPPINGS, env.LOADER).deploy(workerId, ECHO_BUNDLE, {
      ...info('o-1'),
      assets: undefined,
    })
    // Another isolate's backend: it has not just stored the code, so it reads it, and only it.
    const reads: string[] = []
    const backend = new DynamicWorkersBackend(recordingKv(reads), env.LOADER)
    const res = await backend.fetcher(workerId, fetcherOptions(false)).fetch(new Request('http://x/'))
    expect(res.status).toBe(200)
    expect(reads).toEqual([`code/${workerId}`])
  })

  it('the isolate that deployed a Worker loads it without reading its code back from KV', async () => {
    const reads: string[] = []
    const backend = new DynamicWorkersBackend(recordingKv(reads), env.LOADER)
    const workerId = `w-test-${uniqueName()}`
    await backend.deploy(workerId, ECHO_BUNDLE, { ...info('o-1'), assets: undefined })
    const res = await backend.fetcher(workerId, fetcherOptions(false)).fetch(new Request('http://x/'))
    expect(res.status).toBe(200)
    expect(reads).toEqual([])
    expect(await backend.code(workerId)).toEqual(ECHO_BUNDLE)
    expect(reads).toEqual([])
  })

  it('removed code is gone from memory too: the deploying isolate cannot load it any more', async () => {
    const backend = new DynamicWorkersBackend(env.WORKER_MAPPINGS, env.LOADER)
    const workerId = `w-test-${uniqueName()}`
    await backend.deploy(workerId, ECHO_BUNDLE, { ...info('o-1'), assets: undefined })
    await backend.remove(workerId)
    expect(await backend.code(workerId)).toBeNull()
    const fetching = backend.fetcher(workerId, fetcherOptions(false)).fetch(new Request('http://x/'))
    await expect(fetching).rejects.toMatchObject({ code: 'deployment_missing', status: 502 })
  })

  it('reads the manifest once per isolate, then serves from memory', async () => {
    const reads: string[] = []
    const backend = new DynamicWorkersBackend(recordingKv(reads), env.LOADER)
    const workerId = `w-test-${uniqueName()}`
    await backend.deploy(workerId, null, info('o-1'))
    for (let i = 0; i < 3; i++) {
      const res = await backend.fetcher(workerId, fetcherOptions(true)).fetch(new Request('http://x/'))
      expect(await res.text()).toBe('<h1>home</h1>')
    }
    expect(reads.filter((key) => key.startsWith('assets/'))).toHaveLength(1)
    expect(reads.filter((key) => key.startsWith('asset/'))).toHaveLength(1)
  })

  it('remove deletes the deployment’s files and manifest, and nothing of another deployment', async () => {
    const backend = new DynamicWorkersBackend(env.WORKER_MAPPINGS, env.LOADER)
    const [kept, removed] = [`w-test-${uniqueName()}`, `w-test-${uniqueName()}`]
    // The same tenant, the same bytes, two deployments (as after a redeploy).
    await backend.deploy(kept, null, info('o-same'))
    await backend.deploy(removed, null, info('o-same'))
    expect(await kvKeys(`asset/${removed}/`)).toHaveLength(SITE.length)

    await backend.remove(removed)
    expect(await kvKeys(`asset/${removed}/`)).toEqual([])
    expect(await kvKeys(`assets/${removed}`)).toEqual([])
    expect(await kvKeys(`asset/${kept}/`)).toHaveLength(SITE.length)
    const res = await backend.fetcher(kept, fetcherOptions(true)).fetch(new Request('http://x/about'))
    expect(await res.text()).toBe('<h1>about</h1>')
    await backend.remove(removed) // idempotent: the outbox may retry
  })

  it('content missing from storage is a 502 that says so, not an empty page', async () => {
    const backend = new DynamicWorkersBackend(env.WORKER_MAPPINGS, env.LOADER)
    const workerId = `w-test-${uniqueName()}`
    await backend.deploy(workerId, null, info('o-1'))
    for (const key of await kvKeys(`asset/${workerId}/`)) await env.WORKER_MAPPINGS.delete(key)
    const fetching = backend.fetcher(workerId, fetcherOptions(true)).fetch(new Request('http://x/'))
    await expect(fetching).rejects.toMatchObject({ code: 'deployment_missing', status: 502 })
  })
})
