import { PlatformError, workerNotFound } from '../core/errors'
import type { RequestScope } from '../core/follow-up'
import type { StoredLogLine } from '../core/model'
import { assertValidName } from '../core/names'
import type { NameChanges } from '../names/changes'
import type { Proof } from '../names/ownership'
import { refusal } from '../names/refusals'
import { FOLLOW_TIMING, LOG_FOLLOWERS, followLines, type FollowEvent, type FollowTiming } from './log-follow'
import type { FollowRefusal } from './log-followers'
import { LOG_WATCH_MS } from './logs'
import { assertNotSuspended } from '../operators/suspension'
import { TAIL_MS, TAILS_PER_WORKER, tailRequest } from './live-tails'
import type { TailFilter } from './tail-filters'

/** What a read of the logs returns: the lines, and until when capture is on. */
export interface LogRead {
  lines: StoredLogLine[]
  capturingUntil: string
}

/** A worker's recent logs, read or followed by its owner (or an admin). */
export class LogAccess {
  constructor(
    private readonly parts: {
      changes: NameChanges
      now: () => number
    },
  ) {}

  /**
   * Recent console output and exceptions of a worker. Reading them also keeps capture on for
   * LOG_WATCH_MS (see logs.ts). A read never claims or changes ownership.
   */
  read(name: string, token: Proof, ctx: RequestScope): Promise<LogRead> {
    return this.watch(name, token, ctx, 0, 0)
  }

  /**
   * Follows a worker's logs: the lines after line `after` (0: all kept), then each new one as it is
   * stored, until the follow's time is up (the client reconnects) or `signal` aborts. Refusals are
   * thrown before anything is streamed. Following counts as watching: capture stays on throughout.
   */
  async follow(
    name: string,
    token: Proof,
    after: number,
    ctx: RequestScope,
    /** Who follows (the client's address): LOG_FOLLOWERS caps how many at once, per worker and per client. */
    client: string,
    timing: FollowTiming = FOLLOW_TIMING,
  ): Promise<{ capturingUntil: string; events: (signal: AbortSignal) => AsyncGenerator<FollowEvent> }> {
    const { changes, now } = this.parts
    const { lines, capturingUntil } = await this.watch(name, token, ctx, after, timing.maxMs)
    const claim = changes.claim(name)
    const followId = crypto.randomUUID()
    const refused = await claim.admitFollower(followId, client)
    if (refused) throw followersRefusal(refused)
    const credential = await changes.credential(token)
    const read = async (afterId: number) => {
      const result = await claim.readLogs(credential, afterId, followId)
      return result.ok && result.found ? result.lines : null
    }
    return { capturingUntil, events: (signal) => followLines(read, lines, after, signal, timing, now) }
  }

  /**
   * A live tail of the worker's invocations (`wrangler tail`), for its owner or an admin: capture
   * stays on for as long as the tail lasts. `self` is the caller's address (`client_ip: ["self"]`).
   * The socket's address carries the tail's secret: whoever holds it may connect, until it ends.
   */
  async openTail(
    name: string,
    token: Proof,
    filters: TailFilter[],
    self: string,
    ctx: RequestScope,
  ): Promise<{ id: string; secret: string; expiresAt: number }> {
    assertNotSuspended(await this.parts.changes.claim(assertValidName(name)).current(), 'be tailed')
    // Capture on, and every invocation sent (not only those with output), for as long as a tail may last.
    await this.watch(name, token, ctx, 0, TAIL_MS, true)
    const result = await this.parts.changes
      .claim(name)
      .openTail(await this.parts.changes.credential(token), filters, self)
    if (!result.ok) throw refusal(result.reason, 'read')
    if (!result.found) throw workerNotFound(name)
    if (!result.tail) {
      throw new PlatformError(
        'rate_limited',
        `At most ${TAILS_PER_WORKER} tails of one worker may be open at once: stop one (it ends when its wrangler tail stops), or wait until one expires.`,
      )
    }
    return result.tail
  }

  /** Ends tail `id` of the worker (DELETE …/tails/:id), for its owner or an admin. */
  async closeTail(name: string, token: Proof, id: string): Promise<void> {
    const claim = this.parts.changes.claim(assertValidName(name))
    const result = await claim.closeTail(await this.parts.changes.credential(token), id)
    if (!result.ok) throw refusal(result.reason, 'read')
    if (!result.found) throw workerNotFound(name)
    if (!result.closed) throw new PlatformError('not_found', `"${name}" has no tail "${id}": it ended, or never was.`)
  }

  /** The WebSocket of tail `id`, for whoever holds its secret (101), while it lasts. */
  async connectTail(name: string, id: string, secret: string): Promise<Response> {
    const response = await this.parts.changes.claim(assertValidName(name)).fetch(tailRequest(id, secret))
    if (response.status !== 101) {
      throw new PlatformError('not_found', 'There is no such tail, or it has ended: run wrangler tail again.')
    }
    return response
  }

  /**
   * The lines after `after`, for the owner or an admin, making sure capture stays on for at least
   * `watchMs` more (plus a margin, so that not every read has to extend it).
   */
  private async watch(
    name: string,
    token: Proof,
    ctx: RequestScope,
    after: number,
    watchMs: number,
    /** A live tail opens: the record's tailsUntil is moved out as far too. */
    tailing = false,
  ): Promise<LogRead> {
    const { changes } = this.parts
    const claim = changes.claim(assertValidName(name))
    const result = await claim.readLogs(await changes.credential(token), after)
    if (!result.ok) throw refusal(result.reason, 'read')
    if (!result.found) throw workerNotFound(name)
    const { lines, record } = result
    const now = this.parts.now()
    const farEnough = (until: string | undefined) =>
      until !== undefined && Date.parse(until) - now > watchMs + LOG_WATCH_MS / 3
    if (record.logsUntil && farEnough(record.logsUntil) && (!tailing || farEnough(record.tailsUntil))) {
      return { lines, capturingUntil: record.logsUntil }
    }

    // Extending the window is a change to the record, so it takes the name's lease like any other.
    const wanted = new Date(now + Math.max(LOG_WATCH_MS, watchMs)).toISOString()
    // A deploy (or another tail) may have opened a longer window meanwhile: never shorten one (ISO times sort as text).
    const later = (until: string | undefined) => (until && until > wanted ? until : wanted)
    const held = await changes.changeExisting(name, token, ctx, (current) => ({
      record: {
        ...current,
        logsUntil: later(current.logsUntil),
        ...(tailing ? { tailsUntil: later(current.tailsUntil) } : {}),
      },
      expired: [],
      claim: false,
    }))
    await changes.commit(held, ctx)
    return { lines, capturingUntil: held.change.record.logsUntil ?? wanted }
  }
}

/** A live follow over LOG_FOLLOWERS' caps: 429, to retry once a follower has gone quiet. */
function followersRefusal(cap: FollowRefusal): PlatformError {
  const retry = { 'Retry-After': String(Math.ceil(LOG_FOLLOWERS.staleMs / 1000)) }
  return cap === 'worker'
    ? new PlatformError(
        'rate_limited',
        `At most ${LOG_FOLLOWERS.perWorker} clients may follow a worker's logs live at once. Read the recent lines without ?follow=1, or try again when one has stopped.`,
        retry,
      )
    : new PlatformError(
        'rate_limited',
        `At most ${LOG_FOLLOWERS.perClient} live follows of one worker's logs per client at once: close another tab that follows them, then try again.`,
        retry,
      )
}
