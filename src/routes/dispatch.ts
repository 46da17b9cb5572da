import type { Context, MiddlewareHandler } from 'hono'
import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import { stripPlatformCookies } from '../core/cookies'
import { confine, keepCookiesOnHost } from '../middleware/confinement'
import { HOPS_HEADER, incomingHops } from '../dispatch/egress'
import { forwardedCf } from '../dispatch/isolation'
import { USER_WORKERS_MOUNT, nameFromHost, workerPath } from '../core/urls'
import { isCustomHost } from '../domains/hostnames'
import { RolloutVisitor, VERSION_HEADERS } from '../dispatch/rollout-visitor'

/** Shared origin: /user-workers/<name or name@preview>/<rest> → the worker sees /<rest>, its mount in X-Forwarded-Prefix. */
export const dispatch = new Hono<AppEnv>()
dispatch.all(`${USER_WORKERS_MOUNT}/*`, (c) => {
  const url = new URL(c.req.url)
  // Split the raw (still percent-encoded) path, so "%2f" can never smuggle a slash into a name.
  const [address = '', ...rest] = url.pathname.slice(USER_WORKERS_MOUNT.length + 1).split('/')
  // A browser opening /user-workers/<name> goes to /user-workers/<name>/, so the site's relative
  // links resolve under its mount (from /user-workers/x, "hello" would be /user-workers/hello, another
  // worker). The worker sees "/" either way; scripts calling it without the slash are not redirected.
  if (rest.length === 0 && isNavigation(c.req.raw)) return c.redirect(`${url.pathname}/${url.search}`, 308)
  return forward(c, url, address, `/${rest.join('/')}${url.search}`, workerPath(address))
})

/**
 * Host routing: `<name>.<domain>` on its own origin (see core/urls.ts), a reserved name being the
 * platform's; then custom domains (domains/): a host that is not the platform's is a tenant's
 * hostname, served like `<name>.<domain>` once verified, and the 404 page while it is not.
 */
export const hostDispatch: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { userWorkersDomain, reservedNames, domains } = c.var.platform.config
  const url = new URL(c.req.url)
  const address = nameFromHost(url.hostname, userWorkersDomain)
  if (address !== undefined && !reservedNames.has(address)) return forward(c, url, address, url.pathname + url.search)
  if (address !== undefined || !isCustomHost(url.hostname, domains, userWorkersDomain)) return next()
  return forward(c, url, { customHost: url.hostname }, url.pathname + url.search)
}

/**
 * Opens the worker an address names and forwards the request to `path` on its origin; only the
 * platform sets its headers, and the platform's own cookies (core/cookies.ts) never reach a tenant —
 * on the shared origin the browser sends them with every request, under host routing they should not
 * arrive at all (stripped anyway). Every request a user Worker gets from a client passes here.
 */
async function forward(
  c: Context<AppEnv>,
  url: URL,
  address: string | { customHost: string },
  path: string,
  mount?: string,
) {
  const { config, dispatch } = c.var.platform
  const hops = incomingHops(c.req.header(HOPS_HEADER) ?? null, config.maxHops)
  // The visitor's rollout key, made only when the worker has a rollout (deploy/rollouts.ts).
  let visitor: RolloutVisitor | undefined
  const key = () => (visitor ??= new RolloutVisitor(c.req.raw, url)).key()
  const arrival = { host: url.hostname, hops, background: c.executionCtx, visitor: key }
  const worker =
    typeof address === 'string'
      ? await dispatch.open(address, arrival)
      : await dispatch.openCustomHost(address.customHost, arrival)
  const { method, headers, body } = c.req.raw
  const cf = forwardedCf(c.req.raw, config.userWorkersTrusted)
  // Origin + path, never `new URL(path, base)`: a path starting with "//" would be read as a host.
  const forwarded = new Request(url.origin + path, { method, headers, body, cf, redirect: 'manual' })
  // A client never picks a version itself: the platform's rollout does.
  for (const header of [HOPS_HEADER, 'X-Forwarded-Prefix', ...VERSION_HEADERS]) forwarded.headers.delete(header)
  if (mount) forwarded.headers.set('X-Forwarded-Prefix', mount)
  stripPlatformCookies(forwarded.headers)
  const response = await worker.fetch(forwarded)
  const confined = mount ? confine(response, config.sandboxPolicy) : keepCookiesOnHost(response)
  return visitor ? visitor.remembered(confined) : confined
}

/** A browser loading a page (not a script's fetch, a form's post or a subresource). */
function isNavigation(request: Request): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && request.headers.get('Sec-Fetch-Mode') === 'navigate'
}
