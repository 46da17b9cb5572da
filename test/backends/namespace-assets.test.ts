import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assetHash } from '../../src/backends/dispatch-namespace'
import { PlatformError } from '../../src/core/errors'
import { platformFor } from '../../src/platform/index'
import type { AssetConfig, DeploymentAssets, StaticAsset, WorkerBundle } from '../../src/core/model'
import type { Release } from '../../src/deploy/deployer'
import { CLOUDFLARE_DOUBLE } from '../doubles/constants'
import { uniqueName } from '../helpers'
import {
  callWatchingForTheToken,
  DOUBLE,
  failNext,
  namespaceEnv,
  recorded,
  resetDouble,
  type RecordedRequest,
} from './namespace-double'

// Static assets on the dispatch-namespace backend: Cloudflare's direct upload (session → buckets →
// script upload with the completion token), against the API double, which refuses any request
// that breaks the published contract. Releases are deployed through the service, as the upload
// routes will.

// Cloudflare's docs: upload JWTs are for the platform only, never for end users. Every JWT the
// platform used is collected after each test and checked for, like the API token, after the suite.
const jwts = new Set<string>()
const { call, record } = callWatchingForTheToken(10, () => jwts)
afterAll(() => {
  expect(jwts.size).toBeGreaterThan(10)
})

const text = new TextEncoder()
function asset(path: string, content: string, contentType = 'text/html'): StaticAsset {
  const bytes = text.encode(content)
  return { path, content: bytes, contentType, size: bytes.byteLength }
}

const SITE: StaticAsset[] = [
  asset('/index.html', '<h1>home</h1>'),
  asset('/about.html', '<h1>about</h1>'),
  asset('/app.js', 'console.log("app")', 'text/javascript'),
]

const workerBundle = (body: string): WorkerBundle => ({
  mainModule: 'worker.js',
  modules: [
    {
      name: 'worker.js',
      type: 'esm',
      content: `export default { fetch: () => new Response(${JSON.stringify(body)}) }`,
    },
  ],
})

/** Deploys a release through the platform's service, as the upload routes do; errors are checked for the token. */
async function deploy(name: string, release: Release, token?: string) {
  const ctx = createExecutionContext()
  try {
    return await platformFor(namespaceEnv).deploys.release(name, release, { token }, ctx)
  } catch (error) {
    record(error instanceof Error ? `${error.name} ${error.message}` : String(error))
    throw error
  } finally {
    await waitOnExecutionContext(ctx)
  }
}

const assets = (files: StaticAsset[], config: AssetConfig = {}): DeploymentAssets => ({ files, config })

const isSession = (request: RecordedRequest) => request.path.endsWith('/assets-upload-session')
const isBucket = (request: RecordedRequest) => request.path.endsWith('/workers/assets/upload')
const isScriptUpload = (request: RecordedRequest) => request.method === 'PUT'

interface SessionBody {
  manifest: Record<string, { hash: string; size: number }>
}

/** The metadata of the (only) script upload among the recorded requests. */
function uploadedMetadata(requests: RecordedRequest[]): Record<string, unknown> {
  const part = requests.find(isScriptUpload)?.parts.find((entry) => entry.field === 'metadata')
  if (!part) throw new Error('no script upload was recorded')
  return JSON.parse(part.content) as Record<string, unknown>
}

beforeEach(async () => {
  await resetDouble()
})

afterEach(async () => {
  for (const request of await recorded()) {
    const bearer = request.authorization?.replace(/^Bearer /, '')
    if (bearer && bearer !== CLOUDFLARE_DOUBLE.token) jwts.add(bearer)
    const metadata = request.parts.find((part) => part.field === 'metadata')
    const jwt = metadata && (JSON.parse(metadata.content) as { assets?: { jwt?: string } }).assets?.jwt
    if (jwt) jwts.add(jwt)
  }
})

describe('static assets on the dispatch-namespace backend', () => {
  it('uploads a session, then each bucket with the session JWT, then the script naming the completion JWT and the config', async () => {
    const name = uniqueName('nsa')
    const config: AssetConfig = {
      html_handling: 'auto-trailing-slash',
      not_found_handling: '404-page',
      // Cloudflare applies the rule files itself: they go up as wrangler sends them.
      _redirects: '/old /new 301',
      _headers: '/*\n  X-Frame-Options: DENY',
    }
    const { record: deployed } = await deploy(name, {
      bundle: workerBundle('from the worker'),
      assets: assets(SITE, config),
    })

    const requests = await recorded()
    // Session first, then buckets (the double asks for at most 2 hashes per bucket), then the script.
    expect(
      requests.map((request) => (isSession(request) ? 'session' : isBucket(request) ? 'bucket' : 'script')),
    ).toEqual(['session', 'bucket', 'bucket', 'script'])
    const [session, ...rest] = requests
    const scriptPath = `/client/v4/accounts/${CLOUDFLARE_DOUBLE.accountId}/workers/dispatch/namespaces/${CLOUDFLARE_DOUBLE.namespace}/scripts/${deployed.workerId}`
    expect(session!.path).toBe(`${scriptPath}/assets-upload-session`)
    expect(session!.authorization).toBe(`Bearer ${CLOUDFLARE_DOUBLE.token}`)
    expect(session!.contentType).toBe('application/json')
    const { manifest } = session!.json as SessionBody
    expect(Object.keys(manifest).sort()).toEqual(['/about.html', '/app.js', '/index.html'])
    for (const file of SITE) {
      expect(manifest[file.path]).toEqual({ hash: expect.stringMatching(/^[0-9a-f]{32}$/) as string, size: file.size })
    }

    const buckets = rest.filter(isBucket)
    const hashToPath = new Map(Object.entries(manifest).map(([path, entry]) => [entry.hash, path]))
    for (const bucket of buckets) {
      expect(bucket.path).toBe(`/client/v4/accounts/${CLOUDFLARE_DOUBLE.accountId}/workers/assets/upload`)
      expect(bucket.query).toBe('?base64=true')
      // The upload session's token, never the API token.
      expect(bucket.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.\w+$/)
      expect(bucket.authorization).not.toContain(CLOUDFLARE_DOUBLE.token)
      for (const part of bucket.parts) {
        const file = SITE.find((entry) => entry.path === hashToPath.get(part.field))!
        expect(part).toEqual({
          field: part.field,
          filename: part.field,
          type: file.contentType,
          content: btoa(new TextDecoder().decode(file.content)),
        })
      }
    }
    expect(buckets.flatMap((bucket) => bucket.parts.map((part) => hashToPath.get(part.field))).sort()).toEqual([
      '/about.html',
      '/app.js',
      '/index.html',
    ])

    const metadata = uploadedMetadata(requests)
    expect(metadata).toMatchObject({ main_module: 'worker.js', assets: { jwt: expect.any(String) as string, config } })
    expect((metadata.assets as { jwt: string }).jwt).not.toBe(buckets[0]!.authorization!.slice('Bearer '.length))

    // Cloudflare serves the assets ahead of the Worker; the dispatch Worker serves none itself.
    const home = await call(`/user-workers/${name}/`)
    expect(await home.text()).toBe('<h1>home</h1>')
    expect(home.headers.get('content-type')).toBe('text/html')
    expect(await (await call(`/user-workers/${name}/about`)).text()).toBe('<h1>about</h1>')
    expect(await (await call(`/user-workers/${name}/api/anything`)).text()).toBe('from the worker')
  })

  it('uploads no bucket on a second deploy of the same bytes: the session token is the completion token', async () => {
    const name = uniqueName('nsa-again')
    const first = await deploy(name, { bundle: workerBundle('v1'), assets: assets(SITE) })
    await resetRequests()
    const second = await deploy(name, { bundle: workerBundle('v2'), assets: assets(SITE) }, first.token)
    const requests = await recorded()
    expect(requests.filter(isBucket)).toEqual([])
    expect(requests.map((request) => request.method)).toEqual(['POST', 'PUT'])
    expect(second.record.workerId).not.toBe(first.record.workerId)
    expect(await (await call(`/user-workers/${name}/`)).text()).toBe('<h1>home</h1>')
    expect(await (await call(`/user-workers/${name}/x`)).text()).toBe('v2')
  })

  it('refuses a change of settings alone for a worker with assets, naming what to do, and changes nothing', async () => {
    const name = uniqueName('nsa-secret')
    const build = {
      files: [],
      dependencies: {},
      warnings: [],
      assets: { count: SITE.length, bytes: 1 },
      hasWorker: true,
    }
    const first = await deploy(name, { bundle: workerBundle('v1'), assets: assets(SITE), build })
    await resetRequests()
    const ctx = createExecutionContext()
    const change = platformFor(namespaceEnv).deploys.changeSettings(
      name,
      { secrets: { A: 'a' } },
      'secret A set',
      first.token,
      ctx,
    )
    await expect(change).rejects.toThrow(
      'cannot carry a worker’s static assets to its new deployment: deploy the worker again',
    )
    await waitOnExecutionContext(ctx)
    expect((await recorded()).filter((request) => request.method === 'PUT')).toEqual([])
    expect(await (await call(`/user-workers/${name}/x`)).text()).toBe('v1')
  })

  it('uploads only the changed file when one of them changes', async () => {
    const name = uniqueName('nsa-diff')
    const first = await deploy(name, { bundle: workerBundle('v1'), assets: assets(SITE) })
    await resetRequests()
    const changed = [SITE[0]!, asset('/about.html', '<h1>about, v2</h1>'), SITE[2]!]
    await deploy(name, { bundle: workerBundle('v2'), assets: assets(changed) }, first.token)
    const parts = (await recorded()).filter(isBucket).flatMap((bucket) => bucket.parts)
    expect(parts.map((part) => atob(part.content))).toEqual(['<h1>about, v2</h1>'])
  })

  it('gives two tenants different hashes for equal bytes, so each uploads its own copy', async () => {
    await deploy(uniqueName('nsa-a'), { bundle: workerBundle('a'), assets: assets(SITE) })
    await deploy(uniqueName('nsa-b'), { bundle: workerBundle('b'), assets: assets(SITE) })
    const requests = await recorded()
    const [a, b] = requests.filter(isSession).map((request) => (request.json as SessionBody).manifest)
    for (const file of SITE) expect(a![file.path]!.hash).not.toBe(b![file.path]!.hash)
    // Neither tenant's upload could stand for the other's: both sent every file.
    expect(requests.filter(isBucket).flatMap((bucket) => bucket.parts)).toHaveLength(2 * SITE.length)
  })

  it('hashes the owner, the content type and the bytes into 32 hex characters', async () => {
    const file = asset('/a.txt', 'same bytes', 'text/plain')
    const hash = await assetHash('o-owner-one', file)
    expect(hash).toMatch(/^[0-9a-f]{32}$/)
    expect(await assetHash('o-owner-one', { ...file })).toBe(hash)
    expect(await assetHash('o-owner-two', file)).not.toBe(hash)
    expect(await assetHash('o-owner-one', { ...file, contentType: 'text/html' })).not.toBe(hash)
  })

  it('deploys a static site without a Worker: metadata with assets and the runtime, no module parts', async () => {
    const name = uniqueName('nsa-static')
    const site = [...SITE, asset('/404.html', '<h1>nothing here</h1>')]
    await deploy(name, { bundle: null, assets: assets(site, { not_found_handling: '404-page' }) })
    const requests = await recorded()
    const upload = requests.find(isScriptUpload)!
    expect(upload.parts.map((part) => part.field)).toEqual(['metadata'])
    const metadata = uploadedMetadata(requests)
    expect(metadata).toEqual({
      assets: { jwt: expect.any(String) as string, config: { not_found_handling: '404-page' } },
      compatibility_date: '2026-11-01',
      tags: [`name:${name}`, expect.stringMatching(/^owner:o-/)],
    })

    expect(await (await call(`/user-workers/${name}/`)).text()).toBe('<h1>home</h1>')
    const missing = await call(`/user-workers/${name}/no/such/page`)
    expect(missing.status).toBe(404)
    expect(await missing.text()).toBe('<h1>nothing here</h1>')
  })

  it('refuses a static site that asks to run a Worker first, or has no files, before calling Cloudflare', async () => {
    const refusals: [Release, string][] = [
      [{ bundle: null, assets: assets(SITE, { run_worker_first: true }) }, 'run_worker_first needs a Worker'],
      [{ bundle: null, assets: assets([]) }, 'Nothing to deploy'],
    ]
    for (const [release, message] of refusals) {
      const name = uniqueName('nsa-refused')
      const error = await deploy(name, release).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(PlatformError)
      expect(error).toMatchObject({
        code: 'invalid_request',
        status: 400,
        message: expect.stringContaining(message) as string,
      })
      expect((await call(`/user-workers/${name}/`)).status).toBe(404)
    }
    expect(await recorded()).toEqual([])
  })

  it.each([
    ['the upload session', { match: '/assets-upload-session' }],
    ['a bucket upload', { match: '/workers/assets/upload' }],
    ['the script upload', { method: 'PUT' }],
  ])(
    'reports a failure of %s as a Cloudflare API error (502) and keeps the previous version serving',
    async (_, only) => {
      const name = uniqueName('nsa-fail')
      const first = await deploy(name, { bundle: workerBundle('v1'), assets: assets(SITE) })
      await failNext(500, [{ code: 10013, message: 'An unknown error occurred' }], only)
      const changed = [asset('/index.html', '<h1>home, v2</h1>')]
      const error = await deploy(name, { bundle: workerBundle('v2'), assets: assets(changed) }, first.token).catch(
        (caught: unknown) => caught,
      )
      expect(error).toBeInstanceOf(PlatformError)
      expect(error).toMatchObject({
        code: 'cloudflare_api_error',
        status: 502,
        message: 'Cloudflare API error 10013: An unknown error occurred',
      })
      expect(await (await call(`/user-workers/${name}/`)).text()).toBe('<h1>home</h1>')
      expect(await (await call(`/user-workers/${name}/x`)).text()).toBe('v1')
      const res = await call(`/api/workers/${name}`)
      expect((await res.json<{ deployments: unknown[] }>()).deployments).toHaveLength(1)
    },
  )

  it('a failed update costs the next attempt nothing: files that reached Cloudflare are not sent again', async () => {
    const name = uniqueName('nsa-retry')
    const first = await deploy(name, { bundle: workerBundle('v1'), assets: assets(SITE) })
    const changed = [asset('/index.html', '<h1>home, v2</h1>')]
    await failNext(500, [{ code: 10013, message: 'An unknown error occurred' }], { method: 'PUT' })
    await expect(deploy(name, { bundle: workerBundle('v2'), assets: assets(changed) }, first.token)).rejects.toThrow(
      '10013',
    )
    expect(
      (await recorded())
        .filter(isBucket)
        .at(-1)
        ?.parts.map((part) => atob(part.content)),
    ).toEqual(['<h1>home, v2</h1>'])
    await resetRequests()
    await deploy(name, { bundle: workerBundle('v2'), assets: assets(changed) }, first.token)
    expect((await recorded()).filter(isBucket)).toEqual([])
    expect(await (await call(`/user-workers/${name}/`)).text()).toBe('<h1>home, v2</h1>')
  })
})

/** Forgets the recorded requests only: the namespace keeps its scripts and assets. */
async function resetRequests() {
  await fetch(`${DOUBLE}/forget-requests`, { method: 'POST' })
}

describe('the API double holds uploads to the published contract', () => {
  const api = CLOUDFLARE_DOUBLE.baseUrl
  const scriptUrl = (script: string) =>
    `${api}/accounts/${CLOUDFLARE_DOUBLE.accountId}/workers/dispatch/namespaces/${CLOUDFLARE_DOUBLE.namespace}/scripts/${script}`
  const uploadUrl = `${api}/accounts/${CLOUDFLARE_DOUBLE.accountId}/workers/assets/upload?base64=true`
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })
  const HASH = 'a'.repeat(32)

  async function session(script: string, manifest: SessionBody['manifest'] = { '/a.txt': { hash: HASH, size: 2 } }) {
    const res = await fetch(`${scriptUrl(script)}/assets-upload-session`, {
      method: 'POST',
      headers: { ...bearer(CLOUDFLARE_DOUBLE.token), 'Content-Type': 'application/json' },
      body: JSON.stringify({ manifest }),
    })
    return { status: res.status, ...(await res.json<{ result: { jwt: string; buckets: string[][] } }>()).result }
  }

  function bucket(token: string, parts: Record<string, string>) {
    const form = new FormData()
    for (const [hash, content] of Object.entries(parts))
      form.append(hash, new File([content], hash, { type: 'text/plain' }))
    return fetch(uploadUrl, { method: 'POST', headers: bearer(token), body: form })
  }

  function script(name: string, jwt: string) {
    const form = new FormData()
    form.append(
      'metadata',
      new Blob([JSON.stringify({ assets: { jwt, config: {} }, compatibility_date: '2026-11-01' })], {
        type: 'application/json',
      }),
    )
    return fetch(scriptUrl(name), { method: 'PUT', headers: bearer(CLOUDFLARE_DOUBLE.token), body: form })
  }

  const errorOf = async (res: Response) => (await res.json<{ errors: { message: string }[] }>()).errors[0]?.message

  it('refuses a manifest whose hashes are not 32 hexadecimal characters', async () => {
    const res = await session('s1', { '/a.txt': { hash: 'not-a-hash', size: 2 } })
    expect(res.status).toBe(400)
  })

  it('refuses a bucket sent with the API token, an unknown hash, or content that is not base64 of the size given', async () => {
    const { jwt, buckets } = await session('s2')
    expect(buckets).toEqual([[HASH]])
    const withToken = await bucket(CLOUDFLARE_DOUBLE.token, { [HASH]: btoa('hi') })
    expect(withToken.status).toBe(401)
    expect(await errorOf(withToken)).toContain('not an API token')
    expect((await bucket(jwt, { ['b'.repeat(32)]: btoa('hi') })).status).toBe(400)
    expect(await errorOf(await bucket(jwt, { [HASH]: 'hi!' }))).toContain('not valid base64')
    expect(await errorOf(await bucket(jwt, { [HASH]: btoa('longer') }))).toContain('size')
  })

  it('refuses a script naming the session JWT instead of the completion JWT, or a used one, or another script’s', async () => {
    const { jwt: sessionJwt } = await session('s3')
    expect(await errorOf(await script('s3', sessionJwt))).toContain('upload session token')
    const done = await bucket(sessionJwt, { [HASH]: btoa('hi') })
    expect(done.status).toBe(201)
    const completion = (await done.json<{ result: { jwt: string } }>()).result.jwt
    expect(await errorOf(await script('another', completion))).toContain('another script')
    expect((await script('s3', completion)).status).toBe(200)
    expect(await errorOf(await script('s3', completion))).toContain('already used')
  })

  it('asks for no hash the namespace already holds', async () => {
    const first = await session('s4')
    await bucket(first.jwt, { [HASH]: btoa('hi') })
    const again = await session('s5')
    expect(again.buckets).toEqual([])
    expect((await script('s5', again.jwt)).status).toBe(200)
  })
})
