import { Hono, type Context, type MiddlewareHandler } from 'hono'
import type { AppEnv } from '../context'
import { confine, keepCookiesOnHost } from '../middleware/security'
import { assertWithinHops, HOPS_HEADER, incomingHops } from '../platform/egress'
import { USER_WORKERS_MOUNT, nameFromHost, workerPath } from '../platform/urls'

/** Shared origin: /user-workers/<name>/<rest> → the worker sees /<rest>, and its mount in X-Forwarded-Prefix. */
export const dispatch = new Hono<AppEnv>()

dispatch.all(`${USER_WORKERS_MOUNT}/*`, (c) => {
  const url = new URL(c.req.url)
  // Split the raw (still percent-encoded) path, so "%2f" can never smuggle a slash into a name.
  const rest = url.pathname.slice(USER_WORKERS_MOUNT.length + 1)
  const slash = rest.indexOf('/')
  const name = slash === -1 ? rest : rest.slice(0, slash)
  const path = slash === -1 ? '/' : rest.slice(slash)
  return forward(c, url, name, path + url.search, workerPath(name))
})

/** Host routing: `<name>.<USER_WORKERS_DOMAIN>` serves that worker on its own origin, before any platform route. */
export const hostDispatch: MiddlewareHandler<AppEnv> = async (c, next) => {
  const domain = c.var.platform.config.userWorkersDomain
  const name = domain ? nameFromHost(c.req.url, domain) : undefined
  if (name === undefined) return next()
  const url = new URL(c.req.url)
  return forward(c, url, name, url.pathname + url.search)
}

/**
 * Opens the worker and forwards the request: method, headers, query and body pass through; the
 * platform's own headers (mount, hop count) are set only by the platform.
 */
async function forward(c: Context<AppEnv>, url: URL, name: string, pathAndQuery: string, mount?: string) {
  const { config } = c.var.platform
  const hops = incomingHops(c.req.header(HOPS_HEADER) ?? null, config.maxHops)
  assertWithinHops(hops, config.maxHops)
  const platformHosts = config.userWorkersDomain ? [url.hostname, config.userWorkersDomain] : [url.hostname]
  const worker = await c.var.platform.open(name, { hops, platformHosts })
  const { method, headers, body } = c.req.raw
  // Origin + path, never `new URL(path, base)`: a path starting with "//" would be read as a host.
  const forwarded = new Request(url.origin + pathAndQuery, { method, headers, body, redirect: 'manual' })
  forwarded.headers.delete(HOPS_HEADER)
  if (mount) forwarded.headers.set('X-Forwarded-Prefix', mount)
  else forwarded.headers.delete('X-Forwarded-Prefix')
  const response = await worker.fetch(forwarded)
  // On the shared origin a worker's response must not act with the platform origin's privileges;
  // on its own origin, its cookies must not reach beyond it.
  return mount ? confine(response, config.sandboxPolicy) : keepCookiesOnHost(response)
}
