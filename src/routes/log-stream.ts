import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { AppEnv } from '../context'
import { PlatformError } from '../platform/errors'

/**
 * GET /api/workers/:name/logs?follow=1: the worker's logs as server-sent events. Each line is one
 * event, `id: <line id>` and `data: <JSON line>`; a client that reconnects with `Last-Event-ID`
 * gets only the lines after it. The polling itself is the core's (PlatformService.followLogs);
 * this only speaks SSE: a `capture` event first (until when logs are captured), comments as
 * heartbeats, and the end of the stream when the follow's time is up or the client goes away.
 */
export async function streamLogs(c: Context<AppEnv>, name: string, token: string | undefined): Promise<Response> {
  const after = lastEventId(c.req.header('Last-Event-ID'))
  // Refusals (401, 403, 404) are thrown here, before the stream starts, and answered as JSON.
  const follow = await c.var.platform.followLogs(name, token, after, c.executionCtx)
  const response = streamSSE(c, async (stream) => {
    const disconnected = new AbortController()
    stream.onAbort(() => disconnected.abort())
    try {
      await stream.writeSSE({ event: 'capture', data: JSON.stringify({ capturingUntil: follow.capturingUntil }) })
      for await (const event of follow.events(disconnected.signal)) {
        if (event.kind === 'line') {
          await stream.writeSSE({ id: String(event.line.id), data: JSON.stringify(event.line) })
        } else {
          await stream.write(': heartbeat\n\n')
        }
      }
    } catch (error) {
      // Mid-stream there is no status left to set: say so in an event, without internals.
      const message = error instanceof PlatformError ? error.message : 'Following the logs failed. Reconnect.'
      // The kind of failure only: messages of storage errors are not for logs.
      if (!(error instanceof PlatformError)) {
        console.warn(`following the logs of "${name}" failed (${error instanceof Error ? error.name : 'error'})`)
      }
      await stream.writeSSE({ event: 'error', data: JSON.stringify({ message }) })
    }
  })
  // Log lines are the owner's: never cached anywhere (streamSSE says only no-cache).
  response.headers.set('Cache-Control', 'no-store')
  return response
}

/** The ID of the last line a reconnecting client has (0: none); anything else is its mistake. */
function lastEventId(header: string | undefined): number {
  if (header === undefined || header.trim() === '') return 0
  if (!/^\d{1,15}$/.test(header.trim())) {
    throw new PlatformError('invalid_request', 'Last-Event-ID must be the id of a log line (a whole number).')
  }
  return Number(header.trim())
}
