import { truncate } from '../lib/format'
import type { LogLine } from '../core/model'
import type { Invocation } from './invocations'

/** Recent output kept per worker: storage stays bounded however much a worker logs. */
export const LOG_LINES_KEPT = 100

/**
 * How long log capture stays on after the logs were last read or the worker was last deployed:
 * like `wrangler tail`, logs are collected while someone watches (and right after a change, when
 * its owner tries it), because an attached tail costs every request of the worker.
 */
export const LOG_WATCH_MS = 15 * 60_000

/** Whether a window that lasts until `until` (a record's logsUntil or tailsUntil) is still open at `now`. */
export function isOpen(until: string | undefined, now: number): boolean {
  return until !== undefined && Date.parse(until) > now
}

/**
 * Until when logs are captured after a deploy, rollback or promote at `now`: at least `captureMs`
 * (LOG_CAPTURE_AFTER_DEPLOY_MINUTES) from now, never shorter than a window someone already opened;
 * with 0, only a window someone opened.
 */
export function captureAfterChange(logsUntil: string | undefined, now: number, captureMs: number): string | undefined {
  if (captureMs === 0) return logsUntil
  const until = now + captureMs
  return logsUntil && Date.parse(logsUntil) > until ? logsUntil : new Date(until).toISOString()
}

const MAX_MESSAGE = 1_000

/** The recent log lines of invocations (console output and uncaught exceptions), each marked with its deployment. */
export function toLogLines(invocations: Invocation[]): LogLine[] {
  const lines: LogLine[] = []
  for (const invocation of invocations) {
    const deployment = invocation.scriptVersion?.id
    const mark = deployment ? { deployment } : {}
    for (const log of invocation.logs) {
      lines.push({
        at: iso(log.timestamp),
        level: log.level,
        message: clip(log.message.map(describe).join(' ')),
        ...mark,
      })
    }
    for (const exception of invocation.exceptions) {
      lines.push({
        at: iso(exception.timestamp),
        level: 'exception',
        message: clip(`${exception.name}: ${exception.message}`),
        ...mark,
      })
    }
  }
  return lines
}

/** The worker name a dispatch-namespace trace event belongs to, from the script's tags. */
export function nameFromTags(tags: string[] | undefined): string | undefined {
  return tags?.find((tag) => tag.startsWith(NAME_TAG))?.slice(NAME_TAG.length)
}

/** The owner generation a namespace script was uploaded for (its `owner:` tag, see backends/dispatch-namespace.ts). */
export function ownerFromTags(tags: string[] | undefined): string | undefined {
  return tags?.find((tag) => tag.startsWith(OWNER_TAG))?.slice(OWNER_TAG.length)
}

/** The script tag that names a namespace script's owner generation. */
export function ownerTag(ownerId: string): string {
  return `${OWNER_TAG}${ownerId}`
}

/** The script tag that ties a namespace script to its worker name. */
export function nameTag(name: string): string {
  return `${NAME_TAG}${name}`
}

const NAME_TAG = 'name:'
const OWNER_TAG = 'owner:'

function describe(value: unknown): string {
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

function clip(text: string): string {
  return truncate(text, MAX_MESSAGE)
}

function iso(timestamp: number): string {
  return new Date(timestamp).toISOString()
}

/** A line the platform itself writes into a worker's logs (a change to the worker that is not a deploy). */
export function platformNote(message: string): LogLine {
  return { at: new Date().toISOString(), level: 'platform', message }
}
