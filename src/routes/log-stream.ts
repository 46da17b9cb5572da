import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { AppEnv } from '../context'
import { PlatformError } from '../core/errors'
import type { Proof } from '../names/ownership'
import { requestScope } from './input'

/**
 * GET /api/workers/:name/logs?follow=1 (and a signed-in page's /workers/:name/logs/live): the worker's logs as server-sent events. Each line is one
 * event, `id: <line id>` and `data: <JSON line>`; a client that reconnects with `Last-Event-ID`
 * gets only the lines after it. The polling itself is the core's (LogAccess.follow); this only
 * speaks SSE, through hono/streaming's streamSSE: a `capture` event first (until when logs are
 * captured), comments as heartbeats, and the end of the stream when the follow's time is up or the
 * client goes away (streamSSE's onAbort stops the polling). streamSSE costs 622 B of the dispatch
 * Worker's gzip size over the ReadableStream written out before it (docs/testing.md).
 */
export async function streamLogs(c: Context<AppEnv>, name: string, token: Proof): Promise<Response> {
  const after = lastEventId(c.req.header('Last-Event-ID'))
  // Refusals (401, 403, 404) are thrown here, before the stream starts, and answered as JSON.
  // The client's address, as Cloudflare gives it (wrangler dev too); the cap per client counts by it.
  const client = c.req.header('cf-connecting-ip') ?? 'unknown'
  const follow = await c.var.platform.logs.follow(name, token, after, requestScope(c), client)
  const response = streamSSE(c, async (stream) => {
    // The client went away: the polling stops.
    const disconnected = new AbortController()
    stream.onAbort(() => disconnected.abort())
    await stream.writeSSE({ event: 'capture', data: JSON.stringify({ capturingUntil: follow.capturingUntil }) })
    try {
      for await (const event of follow.events(disconnected.signal)) {
        // JSON has no raw line breaks, so each line is one `data:` field.
        if (event.kind === 'line')
          await stream.writeSSE({ data: JSON.stringify(event.line), id: String(event.line.id) })
        else await stream.write(': heartbeat\n\n')
      }
    } catch (error) {
      // The client went away while a line was on its way: nobody is left to tell.
      if (disconnected.signal.aborted) return
      // Mid-stream there is no status left to set: say so in an event, without internals.
      const message = error instanceof PlatformError ? error.message : 'Following the logs failed. Reconnect.'
      // The kind of failure only: messages of storage errors are not for logs.
      if (!(error instanceof PlatformError)) {
        console.warn(`following the logs of "${name}" failed (${error instanceof Error ? error.name : 'error'})`)
      }
      await stream.writeSSE({ event: 'error', data: JSON.stringify({ message }) })
    }
  })
  // Log lines are the owner's: never cached anywhere.
  response.headers.set('Cache-Control', 'no-store')
  return response
}

/** The ID of the last line a reconnecting client has (0: none); anything else is its mistake. */
function lastEventId(header: string | undefined): number {
  const value = header?.trim() ?? ''
  if (value === '') return 0
  if (!/^\d{1,15}$/.test(value)) {
    throw new PlatformError('invalid_request', 'Last-Event-ID must be the id of a log line (a whole number).')
  }
  return Number(value)
}
