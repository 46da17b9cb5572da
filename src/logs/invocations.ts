import { truncate } from '../lib/format'

/**
 * One invocation of a tenant's worker as its tail saw it, in the shape of Cloudflare's
 * `TailEventMessage` (what `wrangler tail` prints), so a live tail sends it as it is. The recent
 * log lines are made from it too (logs.ts). Everything in it is plain JSON.
 */
export interface Invocation {
  outcome: string
  /** The worker's name (never the Worker ID its deployment runs under). */
  scriptName: string
  /** The deployment that ran it, as Cloudflare names a version. */
  scriptVersion?: { id: string }
  entrypoint?: string
  eventTimestamp: number
  event: InvocationEvent | null
  logs: { message: unknown[]; level: string; timestamp: number }[]
  exceptions: { name: string; message: string; timestamp: number; stack?: string }[]
  /** Some of its output was left out (too many lines, or too long). */
  truncated?: boolean
}

/** What started it: a request, a cron run, an alarm, an RPC call (Cloudflare's event shapes). */
export type InvocationEvent =
  | { request: { url: string; method: string; headers: Record<string, string> }; response?: { status: number } }
  | { cron: string; scheduledTime: number }
  | { scheduledTime: string }
  | { rpcMethod: string }
  | { queue: string; batchSize: number }

/** The last this many console calls of an invocation are kept (as the recent logs keep the newest); more → truncated. */
export const INVOCATION_LOGS_KEPT = 100
/** Each logged value is cut to this many characters of JSON. */
const MAX_VALUE = 4_000

/**
 * Headers whose values are credentials. The runtime already redacts some in traces; the platform
 * redacts these itself as well, so no runtime version decides what an owner's tail shows.
 */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'cf-access-client-secret',
  'cf-access-jwt-assertion',
])

export const REDACTED = 'REDACTED'

/** Turns trace events into invocations of the worker `scriptName`; `deploymentOf` tells which deployment ran each. */
export function toInvocations(
  events: TraceItem[],
  scriptName: string,
  deploymentOf: (event: TraceItem) => string | undefined,
): Invocation[] {
  return events.map((item) => {
    const deployment = deploymentOf(item)
    const logs = item.logs.slice(-INVOCATION_LOGS_KEPT).map((log) => ({
      message: (Array.isArray(log.message) ? log.message : [log.message]).map(jsonValue),
      level: log.level,
      timestamp: log.timestamp,
    }))
    const truncated = item.truncated || item.logs.length > INVOCATION_LOGS_KEPT
    return {
      outcome: item.outcome,
      scriptName,
      ...(deployment ? { scriptVersion: { id: deployment } } : {}),
      ...(item.entrypoint ? { entrypoint: item.entrypoint } : {}),
      eventTimestamp: item.eventTimestamp ?? item.logs[0]?.timestamp ?? Date.now(),
      event: eventOf(item.event),
      logs,
      exceptions: item.exceptions.map((exception) => ({
        name: exception.name,
        message: truncate(exception.message, MAX_VALUE),
        timestamp: exception.timestamp,
        ...(exception.stack ? { stack: truncate(exception.stack, MAX_VALUE) } : {}),
      })),
      ...(truncated ? { truncated } : {}),
    }
  })
}

function eventOf(event: TraceItem['event']): InvocationEvent | null {
  if (!event) return null
  if ('request' in event) {
    const { url, method, headers } = event.request
    return {
      request: { url, method, headers: redacted(headers) },
      ...(event.response ? { response: { status: event.response.status } } : {}),
    }
  }
  if ('cron' in event) return { cron: event.cron, scheduledTime: event.scheduledTime }
  if ('rpcMethod' in event) return { rpcMethod: event.rpcMethod }
  if ('queue' in event) return { queue: event.queue, batchSize: event.batchSize }
  if ('scheduledTime' in event) return { scheduledTime: new Date(event.scheduledTime).toISOString() }
  return null
}

/** The headers with every credential's value replaced. */
export function redacted(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [key, value] of Object.entries(headers)) {
    result[key] = CREDENTIAL_HEADERS.has(key.toLowerCase()) ? REDACTED : value
  }
  return result
}

/** A logged value as JSON can carry it: itself when it is short JSON, else its text, cut. */
function jsonValue(value: unknown): unknown {
  if (typeof value === 'string') return truncate(value, MAX_VALUE)
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch {
    return truncate(String(value), MAX_VALUE)
  }
  if (text === undefined) return String(value)
  return text.length > MAX_VALUE ? truncate(text, MAX_VALUE) : (JSON.parse(text) as unknown)
}
