import type { StoredLogLine } from '../core/model'

/** How a follower of a worker's logs is paced. */
export interface FollowTiming {
  /** Between two reads of the name's object for new lines. */
  pollMs: number
  /** The longest quiet stretch before a heartbeat, so proxies keep an idle connection open. */
  heartbeatMs: number
  /** A follow ends after this; the client reconnects from the last line it saw. */
  maxMs: number
}

/**
 * About one cheap read of the name's object a second per follower; a follow lasts at most five
 * minutes, so a forgotten tab does not poll (or keep capture on) forever.
 */
export const FOLLOW_TIMING: FollowTiming = { pollMs: 1_000, heartbeatMs: 15_000, maxMs: 5 * 60_000 }

/**
 * How many may follow one worker's logs at once, in all and from one client (its address): each
 * follower costs a read of the name's object a second (300 followers took workerd to 67 % CPU).
 * A follower silent for `staleMs` (five polls) no longer counts.
 */
export const LOG_FOLLOWERS = { perWorker: 10, perClient: 3, staleMs: 5 * FOLLOW_TIMING.pollMs } as const

/** What a follower is sent: a new line, or a heartbeat when there has been none for a while. */
export type FollowEvent = { kind: 'line'; line: StoredLogLine } | { kind: 'heartbeat' }

/** The lines after a line ID, or null once the follower may no longer read them (worker deleted). */
export type ReadLinesAfter = (after: number) => Promise<StoredLogLine[] | null>

/**
 * Yields `initial`, then every line stored after it, in order and each once, by polling `read`:
 * until `signal` aborts (the client went away), the worker is gone, or `timing.maxMs` has passed.
 * `after` is the ID of the last line the follower already has (0: none).
 */
export async function* followLines(
  read: ReadLinesAfter,
  initial: StoredLogLine[],
  after: number,
  signal: AbortSignal,
  timing: FollowTiming,
  now: () => number = Date.now,
): AsyncGenerator<FollowEvent> {
  const endsAt = now() + timing.maxMs
  let lastId = after
  let lines: StoredLogLine[] | null = initial
  let quietSince = now()
  while (lines !== null && !signal.aborted) {
    for (const line of lines) {
      if (line.id <= lastId) continue
      lastId = line.id
      yield { kind: 'line', line }
    }
    if (lines.length > 0) quietSince = now()
    else if (now() - quietSince >= timing.heartbeatMs) {
      quietSince = now()
      yield { kind: 'heartbeat' }
    }
    const left = endsAt - now()
    if (left <= 0 || signal.aborted) return
    await pause(Math.min(timing.pollMs, left), signal)
    if (signal.aborted) return
    lines = await read(lastId)
  }
}

/** Waits `ms`, or less if `signal` aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done)
  })
}
