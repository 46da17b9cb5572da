import * as v from 'valibot'
import { parseStored } from '../core/schema'
import { randomToken, sha256Hex } from '../lib/crypto'
import type { Invocation } from './invocations'
import { matchesFilters, tailFilters, type TailFilter } from './tail-filters'

/** How long a tail lasts; the socket is closed (1000) when it ends, and `wrangler tail` exits. */
export const TAIL_MS = 60 * 60_000
/** Open tails per worker: each one costs a message per invocation while capture is on. */
export const TAILS_PER_WORKER = 10
/** The subprotocol wrangler asks for, echoed when a tail connects. */
export const TAIL_PROTOCOL = 'trace-v1'

/** A tail as created: its socket's address carries `secret`, the only proof the socket needs. */
export interface OpenedTail {
  id: string
  secret: string
  expiresAt: number
}

const sessionSchema = v.object({
  secretHash: v.string(),
  filters: tailFilters,
  /** The address the tail was opened from (`client_ip: ["self"]`). */
  self: v.string(),
  expiresAt: v.number(),
})
type TailSession = v.InferOutput<typeof sessionSchema>

/** What each tail's socket carries through hibernation: the tail, its filters and end. */
const attachmentSchema = v.object({ ...v.omit(sessionSchema, ['secretHash']).entries, id: v.string() })
type TailAttachment = v.InferOutput<typeof attachmentSchema>

const TAG = 'tail'
const KEY = 'tails/'

/**
 * The live tails of one worker, in its name's object: created by its owner through the API
 * (`wrangler tail`), each reached by one WebSocket that hibernates between invocations. The
 * sockets are sent every invocation their filters let through; the object's alarm ends them.
 */
export class LiveTails {
  constructor(private readonly ctx: DurableObjectState) {}

  /** A new tail, or null when the worker has TAILS_PER_WORKER open already. */
  async open(filters: TailFilter[], self: string, now: number): Promise<OpenedTail | null> {
    if ((await this.sessions(now)).size >= TAILS_PER_WORKER) return null
    const id = randomToken(12)
    const secret = randomToken(32)
    const expiresAt = now + TAIL_MS
    const session: TailSession = { secretHash: await sha256Hex(secret), filters, self, expiresAt }
    await this.ctx.storage.put(KEY + id, session)
    return { id, secret, expiresAt }
  }

  /**
   * Accepts a tail's socket (101), asked for as `/<tail id>` with the tail's secret as bearer token
   * (see tailRequest), if the secret is that tail's and it has not ended; else 404.
   */
  async connect(request: Request, now: number): Promise<Response> {
    const id = new URL(request.url).pathname.slice(1)
    const secret = /^Bearer (\S+)$/.exec(request.headers.get('Authorization') ?? '')?.[1] ?? ''
    const session = (await this.sessions(now)).get(id)
    if (!session || session.secretHash !== (await sha256Hex(secret))) return new Response(null, { status: 404 })
    // One socket per tail: a second connection replaces the first.
    for (const socket of this.ctx.getWebSockets(id)) socket.close(1000, 'Replaced by a new connection.')
    const { 0: client, 1: server } = new WebSocketPair()
    const attachment: TailAttachment = {
      id,
      filters: session.filters,
      self: session.self,
      expiresAt: session.expiresAt,
    }
    this.ctx.acceptWebSocket(server, [TAG, id])
    server.serializeAttachment(attachment)
    return new Response(null, { status: 101, webSocket: client, headers: { 'Sec-WebSocket-Protocol': TAIL_PROTOCOL } })
  }

  /** Sends each open tail the invocations its filters let through. */
  send(invocations: Invocation[]): void {
    for (const socket of this.ctx.getWebSockets(TAG)) {
      const tail = attachmentOf(socket)
      for (const invocation of invocations) {
        if (matchesFilters(tail.filters, invocation, tail.self)) socket.send(JSON.stringify(invocation))
      }
    }
  }

  /** Ends tail `id` (DELETE …/tails/:id); false when there is no such tail. */
  async close(id: string): Promise<boolean> {
    const existed = await this.ctx.storage.delete(KEY + id)
    for (const socket of this.ctx.getWebSockets(id)) socket.close(1000, 'Tail deleted.')
    return existed
  }

  /** Ends every tail whose time is up at `now` (the object's alarm), or all of them (the worker was deleted). */
  async end(now: number, reason = 'Tail expired.'): Promise<void> {
    const expired = [...(await this.all()).entries()].filter(([, session]) => session.expiresAt <= now)
    await this.ctx.storage.delete(expired.map(([id]) => KEY + id))
    for (const socket of this.ctx.getWebSockets(TAG)) {
      if (attachmentOf(socket).expiresAt <= now) socket.close(1000, reason)
    }
  }

  /**
   * A client closed its tail's socket: the close is answered with its code, or 1000 for the codes
   * that may not be sent (1005 none given, 1006 abnormal, 1015 TLS).
   */
  static closed(socket: WebSocket, code: number): void {
    try {
      socket.close([1005, 1006, 1015].includes(code) ? 1000 : code, 'Tail closed.')
    } catch {
      // Already closed from this side (it ended meanwhile): nothing to answer.
    }
  }

  /** When the next tail ends, if one is open. */
  async nextEnd(): Promise<number | undefined> {
    const ends = [...(await this.all()).values()].map((session) => session.expiresAt)
    return ends.length > 0 ? Math.min(...ends) : undefined
  }

  /** The tails not yet ended at `now`. */
  private async sessions(now: number): Promise<Map<string, TailSession>> {
    const open = new Map<string, TailSession>()
    for (const [id, session] of await this.all()) if (session.expiresAt > now) open.set(id, session)
    return open
  }

  private async all(): Promise<Map<string, TailSession>> {
    const stored = await this.ctx.storage.list({ prefix: KEY })
    const sessions = new Map<string, TailSession>()
    for (const [key, value] of stored) {
      sessions.set(key.slice(KEY.length), parseStored(sessionSchema, value, `The tail ${key}`))
    }
    return sessions
  }
}

function attachmentOf(socket: WebSocket): TailAttachment {
  return parseStored(attachmentSchema, socket.deserializeAttachment(), 'A tail socket’s attachment')
}

/** The request for tail `id`'s socket that LiveTails.connect answers (its secret from the socket's address). */
export function tailRequest(id: string, secret: string): Request {
  return new Request(`https://tail/${id}`, { headers: { Upgrade: 'websocket', Authorization: `Bearer ${secret}` } })
}
