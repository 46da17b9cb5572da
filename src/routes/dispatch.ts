import { Hono, type Context, type MiddlewareHandler } from 'hono'
import type { AppEnv } from '../context'
import { confine } from '../middleware/security'
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
  return forward(c, name, path + url.search, workerPath(name))
})

/** Host routing: `<name>.<USER_WORKERS_DOMAIN>` serves that worker on its own origin, before any platform route. */
export const hostDispatch: MiddlewareHandler<AppEnv> = async (c, next) => {
  const domain = c.var.platform.config.userWorkersDomain
  const name = domain ? nameFromHost(c.req.url, domain) : undefined
  if (name === undefined) return next()
  const url = new URL(c.req.url)
  return forward(c, name, url.pathname + url.search)
}

/** Opens the worker and forwards the request: method, headers, query and body pass through untouched. */
async function forward(c: Context<AppEnv>, name: string, pathAndQuery: string, mount?: string) {
  const worker = await c.var.platform.open(name)
  const { method, headers, body, url } = c.req.raw
  const forwarded = new Request(new URL(pathAndQuery, url), { method, headers, body, redirect: 'manual' })
  if (mount) forwarded.headers.set('X-Forwarded-Prefix', mount)
  const response = await worker.fetch(forwarded)
  // On the shared origin a worker's response must not act with the platform origin's privileges.
  return mount ? confine(response, c.var.platform.config.sandboxPolicy) : response
}
