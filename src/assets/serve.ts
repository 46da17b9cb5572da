// Serving a deployment's static assets with the semantics of Cloudflare's Workers static assets
// (workers-shared's router and asset worker, as wrangler and miniflare ship them): which requests
// assets answer, html_handling, not_found_handling, run_worker_first, ETags, Cache-Control.
// Pure: the manifest is in memory and bodies come from a loader, so every rule is a unit test.
import type { AssetConfig } from '../core/model'
import { headersFor, parseHeaders, parseRedirects, redirectFor, type HeaderRule, type Redirects } from './rules'

/** One file of a deployment: where its bytes are and what to answer with. */
export interface ManifestEntry {
  /** KV key of the content (see store.ts). */
  key: string
  contentType: string
  size: number
  /** Salted SHA-256 of the content: equal for equal bytes of one tenant, unrelated across tenants. */
  etag: string
}

/** What a deployment serves, as stored: path ("/index.html") → entry, and how to serve them. */
export interface AssetManifest {
  /** False for a static site: nothing falls through to a Worker. */
  hasWorker: boolean
  config: AssetConfig
  files: Record<string, ManifestEntry>
}

type HtmlHandling = NonNullable<AssetConfig['html_handling']>
type NotFoundHandling = NonNullable<AssetConfig['not_found_handling']>

/** A manifest ready to serve from: lookups in a Map, run_worker_first rules compiled once. */
export interface Site {
  hasWorker: boolean
  files: Map<string, ManifestEntry>
  htmlHandling: HtmlHandling
  notFoundHandling: NotFoundHandling
  /** run_worker_first: true → every request; rules → paths matching `worker` and not `assets`. */
  workerFirst: { all: boolean; worker: RegExp[]; assets: RegExp[] }
  /** The project's _redirects and _headers (rules.ts), parsed once. */
  redirects: Redirects
  headerRules: HeaderRule[]
}

/** Cloudflare sends every asset with this (wrangler sets nothing longer, hashed names included). */
export const ASSET_CACHE_CONTROL = 'public, max-age=0, must-revalidate'

/**
 * Why a run_worker_first list is not valid, in wrangler's words, or null. Rules start with "/" (to
 * the Worker) or "!/" (to assets, winning over the others); a list of only "!/" rules means nothing.
 */
export function invalidWorkerFirstRules(rules: string[]): string | null {
  const bad = rules.find((rule) => !rule.startsWith('/') && !rule.startsWith('!/'))
  if (bad !== undefined) return `run_worker_first rule "${bad}" must start with "/" or "!/".`
  if (rules.length > 0 && rules.every((rule) => rule.startsWith('!')))
    return 'run_worker_first has only negative ("!/…") rules; at least one rule must start with "/".'
  return null
}

export function siteOf(manifest: AssetManifest): Site {
  const { config } = manifest
  const rules = Array.isArray(config.run_worker_first) ? config.run_worker_first : []
  return {
    hasWorker: manifest.hasWorker,
    files: new Map(Object.entries(manifest.files)),
    htmlHandling: config.html_handling ?? 'auto-trailing-slash',
    notFoundHandling: config.not_found_handling ?? 'none',
    workerFirst: {
      all: config.run_worker_first === true,
      worker: rules.filter((rule) => rule.startsWith('/')).map(globRegExp),
      assets: rules.filter((rule) => rule.startsWith('!/')).map((rule) => globRegExp(rule.slice(1))),
    },
    redirects: parseRedirects(config._redirects ?? ''),
    headerRules: parseHeaders(config._headers ?? ''),
  }
}

/** A run_worker_first pattern: `*` matches anything (slashes included), the rest literally. */
function globRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`)
}

const escapeRegExp = (text: string) => text.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')

// ── Intents: what a path resolves to ────────────────────────────────────────────────────────────

export type Intent =
  { kind: 'asset'; path: string; entry: ManifestEntry; status: 200 | 404 } | { kind: 'redirect'; to: string }

/**
 * What a decoded path resolves to under the site's html_handling, then (when `notFound` is on)
 * its not_found_handling; null when nothing does. A port of workers-shared's getIntent.
 */
export function resolveIntent(site: Site, path: string, notFound = true, skipRedirects = false): Intent | null {
  const resolver = new Resolver(site, notFound, skipRedirects)
  switch (site.htmlHandling) {
    case 'auto-trailing-slash':
      return resolver.autoTrailingSlash(path)
    case 'force-trailing-slash':
      return resolver.forceTrailingSlash(path)
    case 'drop-trailing-slash':
      return resolver.dropTrailingSlash(path)
    case 'none':
      return resolver.asset(path) ?? resolver.notFound(path)
  }
}

class Resolver {
  constructor(
    private readonly site: Site,
    private readonly applyNotFound: boolean,
    private readonly skipRedirects: boolean,
  ) {}

  asset(path: string, status: 200 | 404 = 200): Intent | null {
    const entry = this.site.files.get(path)
    return entry ? { kind: 'asset', path, entry, status } : null
  }

  /**
   * Redirect to `to` only if `to` is not a file itself and serves the same bytes as `file` — so a
   * redirect never changes what is served and can never loop.
   */
  redirect(file: string, to: string): Intent | null {
    if (this.skipRedirects || this.site.files.has(to)) return null
    const served = resolveIntent(this.site, to, this.applyNotFound, true)
    const etag = this.site.files.get(file)?.etag
    return served?.kind === 'asset' && etag !== undefined && served.entry.etag === etag
      ? { kind: 'redirect', to }
      : null
  }

  notFound(path: string): Intent | null {
    if (!this.applyNotFound) return null
    switch (this.site.notFoundHandling) {
      case 'single-page-application':
        return this.asset('/index.html')
      case '404-page': {
        // The nearest 404.html: /a/b/c → /a/b/404.html, /a/404.html, /404.html.
        for (let dir = path.slice(0, path.lastIndexOf('/')); ; dir = dir.slice(0, dir.lastIndexOf('/'))) {
          const page = this.asset(`${dir}/404.html`, 404)
          if (page || dir === '') return page
        }
      }
      case 'none':
        return null
    }
  }

  autoTrailingSlash(path: string): Intent | null {
    const exact = this.asset(path)
    if (path.endsWith('/index')) {
      if (exact) return exact
      const found =
        this.redirect(`${path}.html`, path.slice(0, -5)) ??
        this.redirect(`${path.slice(0, -6)}.html`, path.slice(0, -6))
      if (found) return found
    } else if (path.endsWith('/index.html')) {
      const found =
        this.redirect(path, path.slice(0, -10)) ?? this.redirect(`${path.slice(0, -11)}.html`, path.slice(0, -11))
      if (found) return found
    } else if (path.endsWith('/')) {
      const found = this.asset(`${path}index.html`) ?? this.redirect(`${path.slice(0, -1)}.html`, path.slice(0, -1))
      if (found) return found
    } else if (path.endsWith('.html')) {
      const found =
        this.redirect(path, path.slice(0, -5)) ??
        this.redirect(`${path.slice(0, -5)}/index.html`, `${path.slice(0, -5)}/`)
      if (found) return found
    }
    return exact ?? this.asset(`${path}.html`) ?? this.redirect(`${path}/index.html`, `${path}/`) ?? this.notFound(path)
  }

  forceTrailingSlash(path: string): Intent | null {
    const exact = this.asset(path)
    if (path.endsWith('/index')) {
      if (exact) return exact
      const found =
        this.redirect(`${path}.html`, path.slice(0, -5)) ??
        this.redirect(`${path.slice(0, -6)}.html`, path.slice(0, -5))
      if (found) return found
    } else if (path.endsWith('/index.html')) {
      const found =
        this.redirect(path, path.slice(0, -10)) ?? this.redirect(`${path.slice(0, -11)}.html`, path.slice(0, -10))
      if (found) return found
    } else if (path.endsWith('/')) {
      const found = this.asset(`${path}index.html`) ?? this.asset(`${path.slice(0, -1)}.html`)
      if (found) return found
    } else if (path.endsWith('.html')) {
      const found =
        this.redirect(path, `${path.slice(0, -5)}/`) ??
        exact ??
        this.redirect(`${path.slice(0, -5)}/index.html`, `${path.slice(0, -5)}/`)
      if (found) return found
    }
    return (
      exact ??
      this.redirect(`${path}.html`, `${path}/`) ??
      this.redirect(`${path}/index.html`, `${path}/`) ??
      this.notFound(path)
    )
  }

  dropTrailingSlash(path: string): Intent | null {
    const exact = this.asset(path)
    let found: Intent | null = null
    if (path.endsWith('/index')) {
      if (exact) return exact
      found =
        path === '/index'
          ? this.redirect('/index.html', '/')
          : (this.redirect(`${path.slice(0, -6)}.html`, path.slice(0, -6)) ??
            this.redirect(`${path}.html`, path.slice(0, -6)))
    } else if (path.endsWith('/index.html')) {
      found =
        path === '/index.html'
          ? this.redirect('/index.html', '/')
          : (this.redirect(path, path.slice(0, -11)) ??
            exact ??
            this.redirect(`${path.slice(0, -11)}.html`, path.slice(0, -11)))
    } else if (path.endsWith('/')) {
      found =
        path === '/'
          ? this.asset('/index.html')
          : (this.redirect(`${path.slice(0, -1)}.html`, path.slice(0, -1)) ??
            this.redirect(`${path.slice(0, -1)}/index.html`, path.slice(0, -1)))
    } else if (path.endsWith('.html')) {
      found =
        this.redirect(path, path.slice(0, -5)) ?? this.redirect(`${path.slice(0, -5)}/index.html`, path.slice(0, -5))
    }
    return found ?? exact ?? this.asset(`${path}.html`) ?? this.asset(`${path}/index.html`) ?? this.notFound(path)
  }
}

// ── Routing and responses ───────────────────────────────────────────────────────────────────────

/** Percent-decodes each segment (a bad escape stays as it is) and collapses repeated slashes. */
export function decodePath(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment)
      } catch {
        return segment
      }
    })
    .join('/')
    .replace(/\/+/g, '/')
}

const encodePath = (path: string) =>
  path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/')

/** What to do with a request: hand it to the Worker, or answer from the assets. */
export type AssetRoute = { kind: 'worker' } | { kind: 'assets'; response: PendingResponse }

/** An asset answer; only `asset` needs a body read (see assetResponse). */
export type PendingResponse =
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed' }
  | { kind: 'redirect'; location: string; status?: 301 | 302 | 303 | 307 | 308 }
  | { kind: 'asset'; intent: Extract<Intent, { kind: 'asset' }>; headers?: ReturnType<typeof headersFor> }

/**
 * Decides as Cloudflare's router does. With a Worker: run_worker_first true → Worker; a "!/" rule
 * → assets; a "/" rule → Worker; otherwise assets only when something matches — not_found_handling
 * counts only for navigations (`Sec-Fetch-Mode: navigate`) or when rules are set, so an API call
 * to a missing path reaches the Worker instead of the SPA's index.html. Without a Worker, assets
 * answer everything. `mount` is prefixed to redirects (the worker's path on the shared origin).
 */
export function routeRequest(site: Site, request: Request, mount = ''): AssetRoute {
  const url = new URL(request.url)
  const { pathname } = url
  if (site.hasWorker) {
    const { all, worker, assets } = site.workerFirst
    if (all) return { kind: 'worker' }
    const forced = assets.some((rule) => rule.test(pathname))
    if (!forced && worker.some((rule) => rule.test(pathname))) return { kind: 'worker' }
    if (!forced) {
      const navigation = request.headers.get('Sec-Fetch-Mode') === 'navigate'
      const hasRules = worker.length > 0
      const path = decodePath(pathname)
      // A path a _redirects rule names is the assets' to answer, as on Cloudflare.
      if (!redirectFor(site.redirects, path) && !resolveIntent(site, path, navigation || hasRules))
        return { kind: 'worker' }
    }
  }
  return { kind: 'assets', response: assetAnswer(site, request.method, url, mount) }
}

/** What the assets alone answer a request (no Worker in front): env.ASSETS.fetch() serves this too. */
export function assetAnswer(site: Site, method: string, url: URL, mount: string): PendingResponse {
  const decoded = decodePath(url.pathname)
  // _redirects first: a 3xx rule sends elsewhere (a path under the worker's mount), a 200 rule serves another path.
  const rule = redirectFor(site.redirects, decoded)
  if (rule && rule.status !== 200) {
    const location = rule.to.startsWith('/') ? mount + rule.to : rule.to
    return { kind: 'redirect', location, status: rule.status }
  }
  const intent = rule ? rewritten(site, rule.to) : resolveIntent(site, decoded)
  if (!intent) return { kind: 'not-found' }
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'method-not-allowed' }
  if (intent.kind === 'redirect') return { kind: 'redirect', location: mount + encodePath(intent.to) + url.search }
  // One canonical URL per asset: "/a%20b" and "/a b" serve, "//x" or "/%61" redirect to it.
  const canonical = encodePath(decoded)
  if (!rule && canonical !== url.pathname) return { kind: 'redirect', location: mount + canonical + url.search }
  const headers = site.headerRules.length > 0 ? headersFor(site.headerRules, decoded) : undefined
  return { kind: 'asset', intent, ...(headers ? { headers } : {}) }
}

/** What a 200 rule serves: the asset at `to`, past html_handling's own redirects (a rewrite never redirects). */
function rewritten(site: Site, to: string): Intent | null {
  const intent = resolveIntent(site, to)
  return intent?.kind === 'redirect' ? resolveIntent(site, intent.to) : intent
}

/** The body of an entry (null when its content is missing from storage). */
export type BodyLoader = (entry: ManifestEntry) => Promise<BodyInit | null>

/** Builds the response: strong ETag, If-None-Match → 304, HEAD without body, Cache-Control unless private. */
export async function assetResponse(request: Request, pending: PendingResponse, load: BodyLoader): Promise<Response> {
  switch (pending.kind) {
    case 'not-found':
      return new Response(null, { status: 404 })
    case 'method-not-allowed':
      return new Response(null, { status: 405, headers: { Allow: 'GET, HEAD' } })
    case 'redirect':
      return new Response(null, { status: pending.status ?? 307, headers: { Location: pending.location } })
    case 'asset':
      break
  }
  const { entry, status } = pending.intent
  const etag = `"${entry.etag}"`
  const headers = new Headers({ ETag: etag, 'Content-Type': entry.contentType })
  // As Cloudflare: a response to a request with credentials or a range is not marked cacheable.
  if (!request.headers.has('Authorization') && !request.headers.has('Range'))
    headers.set('Cache-Control', ASSET_CACHE_CONTROL)
  // _headers: the project's own, over the asset's (`! Name` removes one of those too).
  for (const name of pending.headers?.unset ?? []) headers.delete(name)
  for (const [name, value] of pending.headers?.set ?? []) headers.set(name, value)
  const ifNoneMatch = request.headers.get('If-None-Match')
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => [etag, `W/${etag}`].includes(tag.trim()))) {
    return new Response(null, { status: 304, headers })
  }
  if (request.method === 'HEAD') {
    headers.set('Content-Length', String(entry.size))
    return new Response(null, { status, headers })
  }
  const body = await load(entry)
  if (body === null) throw new AssetContentMissing(entry.key)
  return new Response(body, { status, headers })
}

/** The manifest names content that storage no longer has (the backend turns it into a PlatformError). */
export class AssetContentMissing extends Error {
  override name = 'AssetContentMissing'
}
