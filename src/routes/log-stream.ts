import type { Context } from 'hono'
import type { AppEnv } from '../context'
import { PlatformError } from '../core/errors'

/**
 * GET /api/workers/:name/logs?follow=1: the worker's logs as server-sent events. Each line is one
 * event, `id: <line id>` and `data: <JSON line>`; a client that reconnects with `Last-Event-ID`
 * gets only the lines after it. The polling itself is the core's (LogAccess.follow);
 * this only speaks SSE: a `capture` event first (until when logs are captured), comments as
 * heartbeats, and the end of the stream when the follow's time is up or the client goes away.
 *
 * Written out rather than with hono/streaming's streamSSE: a pull stream is all it takes (the
 * next event is produced only when the client has taken the last one, and a cancelled stream stops
 * the polling), and streamSSE cost about 0.7 KB of the dispatch Worker's 50 KB budget.
 */
export async function streamLogs(c: Context<AppEnv>, name: string, token: string | undefined): Promise<Response> {
  const after = lastEventId(c.req.header('Last-Event-ID'))
  // Refusals (401, 403, 404) are thrown here, before the stream starts, and answered as JSON.
  // The client's address, as Cloudflare gives it (wrangler dev too); the cap per client counts by it.
  const client = c.req.header('cf-connecting-ip') ?? 'unknown'
  const follow = await c.var.platform.logs.follow(name, token, after, c.executionCtx, client)
  const disconnected = new AbortController()
  const events = follow.events(disconnected.signal)
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(sse('capture', { capturingUntil: follow.capturingUntil })))
    },
    async pull(controller) {
      try {
        const next = await events.next()
        if (next.done) return controller.close()
        const event = next.value
        // JSON has no raw line breaks, so each line is one `data:` field.
        const text = event.kind === 'line' ? sse(undefined, event.line, event.line.id) : ': heartbeat\n\n'
        controller.enqueue(encoder.encode(text))
      } catch (error) {
        // The client went away while a line was on its way: nobody is left to tell.
        if (disconnected.signal.aborted) return
        // Mid-stream there is no status left to set: say so in an event, without internals.
        const message = error instanceof PlatformError ? error.message : 'Following the logs failed. Reconnect.'
        // The kind of failure only: messages of storage errors are not for logs.
        if (!(error instanceof PlatformError)) {
          console.warn(`following the logs of "${name}" failed (${error instanceof Error ? error.name : 'error'})`)
        }
        controller.enqueue(encoder.encode(sse('error', { message })))
        controller.close()
      }
    },
    cancel() {
      disconnected.abort()
    },
  })
  return new Response(body, {
    // Log lines are the owner's: never cached anywhere.
    headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' },
  })
}

/** One server-sent event: its type (absent: a message), its data as JSON, and its id. */
function sse(event: string | undefined, data: unknown, id?: number): string {
  return `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n${id === undefined ? '' : `id: ${id}\n`}\n`
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
