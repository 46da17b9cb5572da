import { Hono, type Context, type MiddlewareHandler } from 'hono'
import type { Config } from '../config'
import type { AppEnv } from '../env'
import { currentDeployment } from '../platform/deployments'
import { PlatformError } from '../platform/errors'
import type { EgressPolicy } from '../platform/settings'
import { isValidName } from '../platform/names'
import { renderError } from './errors'
import { USER_WORKERS_MOUNT, nameFromHost, workerPath } from './urls'

/**
 * Shared-origin dispatch: /user-workers/<name>/<rest> → the user Worker sees /<rest> and its mount
 * in X-Forwarded-Prefix. Method, headers, query and body pass through untouched.
 */
export const dispatch = new Hono<AppEnv>()

dispatch.all(`${USER_WORKERS_MOUNT}/*`, (c) => {
  const url = new URL(c.req.url)
  // Split the raw (still percent-encoded) path, so "%2f" can never smuggle a slash into a name.
  const rest = url.pathname.slice(USER_WORKERS_MOUNT.length + 1)
  const slash = rest.indexOf('/')
  const name = slash === -1 ? rest : rest.slice(0, slash)
  const path = slash === -1 ? '/' : rest.slice(slash)
  return dispatchTo(c, name, path + url.search, { prefix: workerPath(name) })
})

/**
 * Host routing (USER_WORKERS_DOMAIN): `<name>.<domain>` serves that worker on its own origin, so
 * browsers isolate it from the platform and from other workers. Runs before every other route.
 */
export const hostDispatch: MiddlewareHandler<AppEnv> = async (c, next) => {
  const domain = c.var.platform.config.userWorkersDomain
  const name = domain ? nameFromHost(c.req.url, domain) : undefined
  if (name === undefined) return next()
  const url = new URL(c.req.url)
  return dispatchTo(c, name, url.pathname + url.search, undefined)
}

async function dispatchTo(c: Context<AppEnv>, name: string, pathAndQuery: string, shared: { prefix: string } | undefined) {
  const platform = c.var.platform
  const record = isValidName(name) ? await platform.lookup(name) : null
  if (!record) throw new PlatformError('worker_not_found', `There is no worker named "${name}".`)

  const original = c.req.raw
  const headers = new Headers(original.headers)
  if (shared) headers.set('X-Forwarded-Prefix', shared.prefix)
  const forwarded = new Request(new URL(pathAndQuery, original.url), {
    method: original.method,
    headers,
    body: original.body,
    redirect: 'manual',
  })

  let response: Response
  try {
    const fetcher = platform.backend.fetcher(record.workerId, {
      name,
      settings: platform.settingsOf(currentDeployment(record)),
      secrets: () => platform.deploymentSecrets(name, record.workerId),
      // Tracing costs every request, so it is attached only while the owner watches the logs.
      tail: platform.isWatched(record) ? () => loopback(c).LogTail({ props: { name } }) : undefined,
      egressGate: (egress) => loopback(c).EgressGate({ props: { egress } }),
    })
    response = await fetcher.fetch(forwarded)
  } catch (error) {
    if (error instanceof PlatformError) throw error
    // The user's code threw: say so without passing on its message or any platform detail.
    console.warn(`user worker "${name}" threw`)
    response = await renderError(c, {
      status: 500,
      title: 'This worker failed',
      message: `The worker "${name}" threw an exception while handling your request.`,
      hint: 'If it is yours, check its code and upload a fixed version.',
    })
  }
  return shared ? confine(response, platform.config) : response
}

/** This Worker's own entrypoints that user Workers are wired to: log tail and egress gate. */
interface Loopback {
  LogTail(options: { props: { name: string } }): Fetcher
  EgressGate(options: { props: { egress: EgressPolicy } }): Fetcher
}

function loopback(c: Context<AppEnv>): Loopback {
  // ctx.exports is typed from the main module only in tests; here the entries used are described.
  return c.executionCtx.exports as unknown as Loopback
}

/**
 * On the shared origin a user response must not act with the platform origin's privileges: a CSP
 * sandbox without allow-same-origin gives its documents an opaque origin, and cookies are dropped.
 */
function confine(response: Response, config: Pick<Config, 'sandboxPolicy'>): Response {
  if (response.webSocket) return response // an upgrade has no document to sandbox
  const confined = new Response(response.body, response)
  confined.headers.delete('Set-Cookie')
  if (config.sandboxPolicy) confined.headers.append('Content-Security-Policy', config.sandboxPolicy)
  return confined
}
