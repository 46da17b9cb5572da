import { describe, expect, it } from 'vitest'
import { headersFor, parseHeaders, parseRedirects, redirectFor, withRuleFiles } from '../../src/assets/rules'
import { assetAnswer, assetResponse, routeRequest, siteOf, type AssetManifest } from '../../src/assets/serve'
import type { AssetConfig } from '../../src/core/model'
import { encodeText } from '../../src/lib/encoding'

// A project's _redirects and _headers (src/assets/rules.ts), as Cloudflare's static assets apply them.

const REDIRECTS = `# moved pages
/old            /new            301
/blog/:year/:slug  /posts/:year-:slug  308
/docs/*         /manual/:splat
/app/*          /index.html     200
/away           https://example.com/elsewhere
`

const HEADERS = `/*
  X-Frame-Options: DENY
  X-Robots: all
/secure/*
  ! X-Robots
  Cache-Control: no-store
/assets/:name
  X-Asset: :name
/*
  X-Robots: archive
`

function site(config: AssetConfig, paths = ['/index.html', '/new', '/secure/a.html', '/assets/app.js']) {
  const files: AssetManifest['files'] = {}
  for (const path of paths) files[path] = { key: `asset/w/${path}`, contentType: 'text/html', size: 1, etag: path }
  return siteOf({ hasWorker: true, config, files })
}

describe('_redirects', () => {
  const rules = parseRedirects(REDIRECTS)

  it('matches exact paths, placeholders and the splat, with 302 unless a status is given', () => {
    expect(redirectFor(rules, '/old')).toEqual({ to: '/new', status: 301 })
    expect(redirectFor(rules, '/blog/2026/hello')).toEqual({ to: '/posts/2026-hello', status: 308 })
    expect(redirectFor(rules, '/docs/a/b')).toEqual({ to: '/manual/a/b', status: 302 })
    expect(redirectFor(rules, '/away')).toEqual({ to: 'https://example.com/elsewhere', status: 302 })
    expect(redirectFor(rules, '/blog/2026')).toBeNull()
  })

  it('refuses a rule that does not parse, naming the file and the line', () => {
    expect(() => parseRedirects('/a /b\n/c /d 418')).toThrow(
      '_redirects, line 2 ("/c /d 418"): the status must be one of',
    )
    expect(() => parseRedirects('https://x.test/a /b')).toThrow('domain-level redirects are not supported')
    expect(() => parseRedirects('/a https://x.test/ 200')).toThrow('a 200 rule serves another path of the site')
    expect(() => parseRedirects('/only-one')).toThrow('a rule is "<from> <to> [status]"')
  })

  it('redirects before the assets, under the worker’s mount, and serves another path for a 200 rule', async () => {
    const s = site({ _redirects: REDIRECTS })
    const moved = assetAnswer(s, 'GET', new URL('http://p.test/old'), '/user-workers/shop')
    expect(moved).toEqual({ kind: 'redirect', location: '/user-workers/shop/new', status: 301 })
    const response = await assetResponse(new Request('http://p.test/old'), moved, () => Promise.resolve(null))
    expect(response.status).toBe(301)
    const app = assetAnswer(s, 'GET', new URL('http://p.test/app/settings/profile'), '')
    expect(app).toMatchObject({ kind: 'asset', intent: { path: '/index.html', status: 200 } })
    // A path only a rule names goes to the assets, not to the Worker.
    expect(routeRequest(s, new Request('http://p.test/docs/x')).kind).toBe('assets')
    expect(routeRequest(s, new Request('http://p.test/api/x')).kind).toBe('worker')
  })
})

describe('_headers', () => {
  const rules = parseHeaders(HEADERS)

  it('applies every matching rule: values of one name joined, placeholders filled, "! Name" removing', () => {
    const home = headersFor(rules, '/')
    expect(Object.fromEntries(home.set)).toEqual({ 'x-frame-options': 'DENY', 'x-robots': 'all, archive' })
    const secure = headersFor(rules, '/secure/a.html')
    expect(Object.fromEntries(secure.set)).toMatchObject({ 'cache-control': 'no-store', 'x-robots': 'archive' })
    expect([...secure.unset]).toEqual(['x-robots'])
    expect(headersFor(rules, '/assets/app.js').set.get('x-asset')).toBe('app.js')
  })

  it('refuses a rule that does not parse, naming the file and the line', () => {
    expect(() => parseHeaders('  X-A: b')).toThrow(
      '_headers, line 1 ("X-A: b"): a header line (indented) must follow a path',
    )
    expect(() => parseHeaders('/a\n  no colon here')).toThrow('_headers, line 2')
    expect(() => parseHeaders('https://x.test/*\n  X-A: b')).toThrow('absolute URLs are not supported')
  })

  it('sets the headers on the asset’s response, over its own (Cache-Control removed or replaced)', async () => {
    const s = site({ _headers: HEADERS })
    const answer = assetAnswer(s, 'GET', new URL('http://p.test/secure/a'), '')
    const response = await assetResponse(new Request('http://p.test/secure/a'), answer, () => Promise.resolve('x'))
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(response.headers.get('X-Frame-Options')).toBe('DENY')
    expect(response.headers.get('X-Robots')).toBe('archive')
  })
})

describe('a project’s rule files', () => {
  it('become the config, not files served, unless the upload’s config gives them', () => {
    const file = (path: string, text: string) => {
      const content = encodeText(text)
      return { path, content, contentType: 'text/plain', size: content.length }
    }
    const files = [file('/index.html', 'x'), file('/_redirects', '/a /b'), file('/_headers', '/*\n  X-A: 1')]
    const taken = withRuleFiles({ files, config: { _headers: '/*\n  X-B: 2' } })
    expect(taken.files.map((entry) => entry.path)).toEqual(['/index.html'])
    expect(taken.config).toEqual({ _redirects: '/a /b', _headers: '/*\n  X-B: 2' })
  })
})
