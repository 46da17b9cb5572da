import { describe, expect, it } from 'vitest'
import {
  ASSET_CACHE_CONTROL,
  assetResponse,
  invalidWorkerFirstRules,
  resolveIntent,
  routeRequest,
  siteOf,
  type AssetManifest,
  type ManifestEntry,
  type PendingResponse,
} from '../../src/assets/serve'
import type { AssetConfig } from '../../src/core/model'

/** A site whose files have distinct ETags unless given the same content name. */
function site(paths: string[] | Record<string, string>, config: AssetConfig = {}, hasWorker = true) {
  const files: AssetManifest['files'] = {}
  const contents = Array.isArray(paths) ? Object.fromEntries(paths.map((path) => [path, path])) : paths
  for (const [path, content] of Object.entries(contents)) {
    files[path] = { key: `asset/w/${content}`, contentType: 'text/html', size: content.length, etag: `e-${content}` }
  }
  return siteOf({ hasWorker, config, files })
}

const target = (intent: ReturnType<typeof resolveIntent>) =>
  intent === null ? null : intent.kind === 'asset' ? `${intent.path} ${intent.status}` : `→ ${intent.to}`

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  new Request(`http://platform.test${path}`, { method, headers })

describe('html_handling', () => {
  const files = ['/index.html', '/about.html', '/blog/index.html', '/style.css']

  it('auto-trailing-slash (the default) serves /about as about.html and /blog/ as blog/index.html', () => {
    const s = site(files)
    expect(target(resolveIntent(s, '/'))).toBe('/index.html 200')
    expect(target(resolveIntent(s, '/about'))).toBe('/about.html 200')
    expect(target(resolveIntent(s, '/blog/'))).toBe('/blog/index.html 200')
    expect(target(resolveIntent(s, '/style.css'))).toBe('/style.css 200')
  })

  it('auto-trailing-slash redirects to the canonical path of each file, as Cloudflare does', () => {
    const s = site(files)
    expect(target(resolveIntent(s, '/about.html'))).toBe('→ /about')
    expect(target(resolveIntent(s, '/about/'))).toBe('→ /about')
    expect(target(resolveIntent(s, '/blog'))).toBe('→ /blog/')
    expect(target(resolveIntent(s, '/blog/index.html'))).toBe('→ /blog/')
    expect(target(resolveIntent(s, '/index.html'))).toBe('→ /')
    expect(target(resolveIntent(s, '/missing'))).toBeNull()
  })

  it('force-trailing-slash and drop-trailing-slash redirect the other ways', () => {
    const force = site(files, { html_handling: 'force-trailing-slash' })
    expect(target(resolveIntent(force, '/about'))).toBe('→ /about/')
    expect(target(resolveIntent(force, '/about/'))).toBe('/about.html 200')
    expect(target(resolveIntent(force, '/blog'))).toBe('→ /blog/')
    const drop = site(files, { html_handling: 'drop-trailing-slash' })
    expect(target(resolveIntent(drop, '/blog/'))).toBe('→ /blog')
    expect(target(resolveIntent(drop, '/blog'))).toBe('/blog/index.html 200')
    expect(target(resolveIntent(drop, '/'))).toBe('/index.html 200')
  })

  it('none serves exact paths only', () => {
    const s = site(files, { html_handling: 'none' })
    expect(target(resolveIntent(s, '/about'))).toBeNull()
    expect(target(resolveIntent(s, '/about.html'))).toBe('/about.html 200')
  })

  it('never redirects to a path that would serve something else', () => {
    // /about is a file of its own with other bytes: /about.html must not redirect to it.
    const s = site({ '/about.html': 'a', '/about': 'b' })
    expect(target(resolveIntent(s, '/about.html'))).toBe('/about.html 200')
    expect(target(resolveIntent(s, '/about'))).toBe('/about 200')
  })
})

describe('not_found_handling', () => {
  it('single-page-application answers every miss with /index.html', () => {
    const s = site(['/index.html', '/app.js'], { not_found_handling: 'single-page-application' })
    expect(target(resolveIntent(s, '/users/42'))).toBe('/index.html 200')
  })

  it('404-page answers with the nearest 404.html and status 404', () => {
    const s = site(['/404.html', '/docs/404.html', '/docs/a.html'], { not_found_handling: '404-page' })
    expect(target(resolveIntent(s, '/docs/x/y'))).toBe('/docs/404.html 404')
    expect(target(resolveIntent(s, '/other'))).toBe('/404.html 404')
    expect(target(resolveIntent(site(['/a.html'], { not_found_handling: '404-page' }), '/x'))).toBeNull()
  })

  it('none leaves a miss unanswered', () => {
    expect(resolveIntent(site(['/index.html']), '/x')).toBeNull()
  })
})

describe('routing with a Worker', () => {
  const spa = { not_found_handling: 'single-page-application' } as const

  it('assets first; what matches no asset reaches the Worker', () => {
    const s = site(['/index.html', '/app.js'])
    expect(routeRequest(s, get('/app.js')).kind).toBe('assets')
    expect(routeRequest(s, get('/api/users')).kind).toBe('worker')
  })

  it('the SPA fallback applies to navigations only, so fetch() calls to the API reach the Worker', () => {
    const s = site(['/index.html'], spa)
    expect(routeRequest(s, get('/api/users')).kind).toBe('worker')
    expect(routeRequest(s, get('/users/42', { 'Sec-Fetch-Mode': 'navigate' })).kind).toBe('assets')
  })

  it('run_worker_first true sends everything to the Worker', () => {
    expect(routeRequest(site(['/index.html'], { run_worker_first: true }), get('/')).kind).toBe('worker')
  })

  it('run_worker_first rules: "/api/*" to the Worker, "!/api/docs" back to assets', () => {
    const s = site(['/index.html', '/api/docs'], { run_worker_first: ['/api/*', '!/api/docs'], ...spa })
    expect(routeRequest(s, get('/api/users')).kind).toBe('worker')
    expect(routeRequest(s, get('/api/docs')).kind).toBe('assets')
    // With rules set, the SPA fallback answers any other miss (as Cloudflare's static routing does).
    expect(routeRequest(s, get('/users/42')).kind).toBe('assets')
  })

  it('a non-GET to an asset path gets 405 from the assets; elsewhere it reaches the Worker', () => {
    const s = site(['/index.html'])
    const post = routeRequest(s, get('/', {}, 'POST'))
    expect(post).toEqual({ kind: 'assets', response: { kind: 'method-not-allowed' } })
    expect(routeRequest(s, get('/form', {}, 'POST')).kind).toBe('worker')
  })
})

describe('routing without a Worker (static site)', () => {
  it('a miss is a plain 404, or the not_found_handling answer', () => {
    expect(routeRequest(site(['/index.html'], {}, false), get('/x'))).toEqual({
      kind: 'assets',
      response: { kind: 'not-found' },
    })
    const s = site(['/index.html'], { not_found_handling: 'single-page-application' }, false)
    const route = routeRequest(s, get('/deep/link'))
    expect(route.kind === 'assets' && route.response.kind === 'asset' && route.response.intent.path).toBe('/index.html')
  })

  it('redirects stay inside the mount the worker is served under', () => {
    const route = routeRequest(site(['/about.html'], {}, false), get('/about.html?x=1'), '/user-workers/site')
    expect(route).toEqual({ kind: 'assets', response: { kind: 'redirect', location: '/user-workers/site/about?x=1' } })
  })

  it('a non-canonical spelling of a file redirects to the canonical one', () => {
    const route = routeRequest(site(['/a b.html'], {}, false), get('/a%20b.html'))
    expect(route).toEqual({ kind: 'assets', response: { kind: 'redirect', location: '/a%20b' } })
  })
})

describe('responses', () => {
  const entry: ManifestEntry = { key: 'asset/w/x', contentType: 'text/css', size: 5, etag: 'abc' }
  const pending: PendingResponse = { kind: 'asset', intent: { kind: 'asset', path: '/a.css', entry, status: 200 } }
  const load = () => Promise.resolve('a{} ')

  it('a strong ETag, the content type and must-revalidate', async () => {
    const res = await assetResponse(get('/a.css'), pending, load)
    expect(res.status).toBe(200)
    expect(res.headers.get('ETag')).toBe('"abc"')
    expect(res.headers.get('Content-Type')).toBe('text/css')
    expect(res.headers.get('Cache-Control')).toBe(ASSET_CACHE_CONTROL)
    expect(await res.text()).toBe('a{} ')
  })

  it('If-None-Match with the ETag (strong or weak) → 304 without body', async () => {
    for (const tag of ['"abc"', 'W/"abc"', '"zzz", "abc"']) {
      const res = await assetResponse(get('/a.css', { 'If-None-Match': tag }), pending, load)
      expect(res.status).toBe(304)
      expect(res.headers.get('ETag')).toBe('"abc"')
      expect(await res.text()).toBe('')
    }
    expect((await assetResponse(get('/a.css', { 'If-None-Match': '"zzz"' }), pending, load)).status).toBe(200)
  })

  it('HEAD has the headers and no body, and does not read the content', async () => {
    let reads = 0
    const res = await assetResponse(get('/a.css', {}, 'HEAD'), pending, () => {
      reads += 1
      return Promise.resolve('x')
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('ETag')).toBe('"abc"')
    expect(await res.text()).toBe('')
    expect(reads).toBe(0)
  })

  it('a request with Authorization or Range is not marked cacheable', async () => {
    const res = await assetResponse(get('/a.css', { Authorization: 'Bearer x' }), pending, load)
    expect(res.headers.has('Cache-Control')).toBe(false)
  })

  it('405 names the methods assets answer; a redirect is a 307', async () => {
    const res = await assetResponse(get('/'), { kind: 'method-not-allowed' }, load)
    expect([res.status, res.headers.get('Allow')]).toEqual([405, 'GET, HEAD'])
    const moved = await assetResponse(get('/'), { kind: 'redirect', location: '/x/' }, load)
    expect([moved.status, moved.headers.get('Location')]).toEqual([307, '/x/'])
  })
})

describe('run_worker_first validation', () => {
  it('rules start with "/" or "!/", and not all may be negative', () => {
    expect(invalidWorkerFirstRules(['/api/*', '!/api/docs'])).toBeNull()
    expect(invalidWorkerFirstRules(['api/*'])).toMatch(/must start with/)
    expect(invalidWorkerFirstRules(['!/x'])).toMatch(/only negative/)
  })
})
