import { WorkerEntrypoint } from 'cloudflare:workers'
import type { Env } from '../env'
import type { LogLine } from './claims'
import { isValidName } from './names'

const MAX_MESSAGE = 1_000

/** Turns trace events (console output and uncaught exceptions) into log lines. */
export function toLogLines(events: TraceItem[]): LogLine[] {
  const lines: LogLine[] = []
  for (const event of events) {
    for (const log of event.logs) {
      const parts = Array.isArray(log.message) ? log.message : [log.message]
      lines.push({ at: iso(log.timestamp), level: log.level, message: clip(parts.map(describe).join(' ')) })
    }
    for (const exception of event.exceptions) {
      lines.push({ at: iso(exception.timestamp), level: 'exception', message: clip(`${exception.name}: ${exception.message}`) })
    }
  }
  return lines
}

/** Stores trace events for the worker they belong to (in that name's Durable Object). */
export async function storeLogs(env: Env, name: string, events: TraceItem[]): Promise<void> {
  const lines = toLogLines(events)
  if (lines.length > 0 && isValidName(name)) await env.NAME_CLAIMS.getByName(name).appendLogs(lines)
}

/**
 * The tail of user Workers on the dynamic-workers backend: the Worker Loader sends each
 * invocation's trace here, with the worker's name as props.
 */
export class LogTail extends WorkerEntrypoint<Env, { name: string }> {
  override async tail(events: TraceItem[]): Promise<void> {
    await storeLogs(this.env, this.ctx.props.name, events)
  }
}

/**
 * Tail consumer of the dispatch namespace's user Workers (configured at upload): each event
 * carries the script's tags, among them `name:<worker name>`.
 */
export async function tailDispatchNamespace(events: TraceItem[], env: Env): Promise<void> {
  const byName = new Map<string, TraceItem[]>()
  for (const event of events) {
    const name = event.scriptTags?.find((tag) => tag.startsWith('name:'))?.slice('name:'.length)
    if (name) byName.set(name, [...(byName.get(name) ?? []), event])
  }
  await Promise.all([...byName].map(([name, items]) => storeLogs(env, name, items)))
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text
}

function iso(timestamp: number): string {
  return new Date(timestamp).toISOString()
}
