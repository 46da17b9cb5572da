import type { Context } from 'hono'
import type { AppEnv } from '../context'
import { ConfigError } from '../core/config'
import { PlatformError, type PlatformErrorCode } from '../core/errors'
import { ErrorPage } from '../views/error'
import { CLIENT_API_MOUNT, ERROR_CODES, failed } from '../client-api/envelope'

/** How each kind of error reads as a page: a title, and what the visitor can do next. */
const COPY: Partial<Record<PlatformErrorCode, { title: string; hint?: string }>> = {
  not_found: { title: 'Page not found', hint: 'Check the address, or start from the list of workers.' },
  worker_not_found: { title: 'No such worker', hint: 'Check the name, or upload a worker under it.' },
  worker_failed: { title: 'This worker failed', hint: 'If it is yours, check its code and upload a fixed version.' },
  loop_detected: {
    title: 'This request went round in a loop',
    hint: 'Workers that call each other (or themselves) through the platform must stop somewhere.',
  },
  deployment_missing: { title: 'This worker is unavailable', hint: 'Upload it again to restore it.' },
  worker_suspended: {
    title: 'This worker is suspended',
    hint: 'If it is yours, its page says why; the platform’s operator can resume it.',
  },
  cloudflare_api_error: { title: 'Cloudflare did not accept the request', hint: 'Try again in a moment.' },
  backend_unavailable: {
    title: 'User Workers are unavailable',
    hint: 'The platform operator needs to fix its configuration.',
  },
  misconfigured: {
    title: 'The platform is misconfigured',
    hint: 'The platform operator needs to fix its configuration.',
  },
  script_too_large: { title: 'Upload too large', hint: 'Go back to keep your code, then make it smaller.' },
  body_too_large: { title: 'Request too large', hint: 'Submit the form from the platform’s own page.' },
  cross_site_request: {
    title: 'Request refused',
    hint: 'Open the platform’s own page and submit the form from there.',
  },
  unauthorized: {
    title: 'Deploy token needed',
    hint: 'Give the deploy token you received when the worker was first uploaded.',
  },
  forbidden: { title: 'Not allowed', hint: 'Use the deploy token you received when the worker was first uploaded.' },
  rate_limited: { title: 'Slow down', hint: 'Wait a minute, then try again.' },
  budget_exceeded: {
    title: 'This worker has used its budget for today',
    hint: 'It serves again at midnight UTC. If it is yours, its page shows its budget.',
  },
  limit_exceeded: {
    title: 'This worker hit its limit',
    hint: 'If it is yours, make it do less per request or raise its limits.',
  },
  deployment_not_found: { title: 'No such deployment', hint: 'Pick one from the worker’s deployment history.' },
}

const INTERNAL = {
  code: 'internal_error',
  status: 500,
  message: 'Something went wrong on the platform. Try again.',
} as const

/** One place that turns any error into the right status, as JSON under /api and as a page elsewhere. */
export async function handleError(error: Error, c: Context<AppEnv>): Promise<Response> {
  const known = toPlatformError(error)
  // Unexpected: log the kind of failure, but answer without any internals.
  if (!known) console.error(`unhandled ${error.name} on ${c.req.method} ${new URL(c.req.url).pathname}`)
  const { code, status, message } = known ?? INTERNAL
  const headers = known?.headers ?? {}
  // The Cloudflare API's clients (wrangler, the SDK) read only its envelope (client-api/envelope.ts).
  if (isClientApi(c)) return c.json(failed(known ? ERROR_CODES[known.code] : 10002, message), status, headers)
  if (isApiRequest(c)) return c.json({ error: { code, message } }, status, headers)

  const copy = known ? COPY[known.code] : undefined
  const title = copy?.title ?? (known ? 'That did not work' : 'Something went wrong')
  const page = <ErrorPage status={status} title={title} message={message} hint={copy?.hint} backend={backendOf(c)} />
  return c.html(page, status, headers)
}

export function handleNotFound(c: Context<AppEnv>) {
  return handleError(new PlatformError('not_found', `Nothing lives at ${new URL(c.req.url).pathname}.`), c)
}

function toPlatformError(error: Error): PlatformError | undefined {
  if (error instanceof PlatformError) return error
  if (error instanceof ConfigError) return new PlatformError('misconfigured', error.message)
  return undefined
}

/** The active backend for the page header; absent when the configuration itself failed. */
function backendOf(c: Context<AppEnv>) {
  return c.get('platform')?.config.backend
}

function isClientApi(c: Context): boolean {
  const path = new URL(c.req.url).pathname
  return path === CLIENT_API_MOUNT || path.startsWith(`${CLIENT_API_MOUNT}/`)
}

function isApiRequest(c: Context): boolean {
  // A page's live log follow asks for an event stream: it reads a refusal as JSON, a page it cannot show.
  return new URL(c.req.url).pathname.startsWith('/api/') || c.req.header('accept') === 'text/event-stream'
}
