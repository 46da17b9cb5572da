import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { PlatformError } from '../platform/errors'
import { isValidName } from '../platform/names'
import { renderError } from './errors'
import { USER_WORKERS_MOUNT, workerPath } from './urls'

/**
 * The dispatch hot path: /user-workers/<name>/<rest> → the user Worker sees /<rest> and its mount
 * in X-Forwarded-Prefix. Method, headers, query and body pass through untouched.
 */
export const dispatch = new Hono<AppEnv>()

dispatch.all(`${USER_WORKERS_MOUNT}/*`, async (c) => {
  const url = new URL(c.req.url)
  // Split the raw (still percent-encoded) path, so "%2f" can never smuggle a slash into a name.
  const rest = url.pathname.slice(USER_WORKERS_MOUNT.length + 1)
  const slash = rest.indexOf('/')
  const name = slash === -1 ? rest : rest.slice(0, slash)
  const path = slash === -1 ? '/' : rest.slice(slash)

  const platform = c.var.platform
  const record = isValidName(name) ? await platform.lookup(name) : null
  if (!record) {
    throw new PlatformError('worker_not_found', `There is no worker at ${workerPath(name)}.`)
  }

  const headers = new Headers(c.req.raw.headers)
  headers.set('X-Forwarded-Prefix', workerPath(name))
  const forwarded = new Request(new URL(path + url.search, url.origin), {
    method: c.req.raw.method,
    headers,
    body: c.req.raw.body,
    redirect: 'manual',
  })

  try {
    return await platform.backend.fetcher(record.workerId).fetch(forwarded)
  } catch (error) {
    if (error instanceof PlatformError) throw error
    // The user's code threw: say so without passing on its message or any platform detail.
    console.warn(`user worker "${name}" threw`)
    return renderError(c, {
      status: 500,
      title: 'This worker failed',
      message: `The worker "${name}" threw an exception while handling your request.`,
      hint: 'If it is yours, check its code and upload a fixed version.',
    })
  }
})
