import { assetResponse, routeRequest, siteOf, type ManifestEntry } from '../../src/assets/serve'
import type { BuildSuccess } from '../../src/deploy/build'
import { loadWorker } from './helpers'

// A built project served as the platform serves a deployment: its static files through the
// platform's asset router (Cloudflare's rules: run_worker_first, not_found_handling, html_handling),
// every other request by the built Worker in a Worker Loader isolate with the given env.

export type Visit = (url: string, init?: RequestInit) => Promise<Response>

/** The built app deployed at `mount` ("" on its own origin): a request in, the platform's answer out. */
export function serveBuilt(result: BuildSuccess, mount: string, bindings: Record<string, unknown> = {}): Visit {
  const app = loadWorker(result, bindings)
  const files: Record<string, ManifestEntry> = {}
  const bodies = new Map<string, Uint8Array>()
  for (const { path, content, contentType, size } of result.assets) {
    files[path] = { key: path, contentType, size, etag: path }
    bodies.set(path, content)
  }
  const site = siteOf({ hasWorker: true, config: result.assetConfig ?? {}, files })
  return async (url, init) => {
    const incoming = new Request(url, { ...init, redirect: 'manual' })
    const { origin, pathname, search } = new URL(incoming.url)
    // A link that leaves the mount leaves the app: on the shared origin that is another worker or the platform.
    if (!pathname.startsWith(`${mount}/`)) return new Response('not this app', { status: 404 })
    const request = new Request(origin + pathname.slice(mount.length) + search, incoming)
    if (mount) request.headers.set('X-Forwarded-Prefix', mount)
    const route = routeRequest(site, request, mount)
    if (route.kind === 'worker') return app.getEntrypoint().fetch(request)
    return assetResponse(request, route.response, (entry) => Promise.resolve(bodies.get(entry.key) ?? null))
  }
}
