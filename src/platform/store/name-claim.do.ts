import { DurableObject } from 'cloudflare:workers'
import { randomToken } from '../../lib/crypto'
import { LOG_LINES_KEPT } from '../logs'
import type { LogLine, WorkerRecord } from '../model'
import {
  authorize,
  hashToken,
  newDeployToken,
  newOwnerId,
  type Credential,
  type Owner,
  type Refusal,
} from '../ownership'
import type { SealedSecrets } from './secrets'

export type LeaseRefusal = { ok: false; reason: Refusal }

export type Lease = {
  ok: true
  leaseId: string
  /** The owner the deployment will belong to (the existing one, or the one a first upload claims). */
  ownerId: string
  /** The current record (strongly consistent, unlike KV), or null for a free name. */
  current: WorkerRecord | null
}

export interface Committed {
  /** Set only when this commit claimed the name: the deploy token, returned this once. */
  token?: string
  /** One-time key under which the token can be shown again by `takeReveal` (for the form's redirect). */
  revealId?: string
}

/** How long a lease may be held before it is taken back (a Worker that died mid-deploy). */
const LEASE_MS = 30_000
const REVEAL_MS = 5 * 60_000

/**
 * One object per worker name (SQLite-backed). KV has no compare-and-set, so every change to a name —
 * the first claim, each deploy, the delete — takes this object's lease: changes to one name run one
 * at a time, and the object is the authority on who owns the name and what it serves. KV remains
 * the fast read path for dispatch.
 */
export class NameClaim extends DurableObject<Env> {
  private queue: Promise<void> = Promise.resolve()
  private lease: { id: string; ownerId: string; release: () => void; timer: ReturnType<typeof setTimeout> } | null =
    null
  // Tokens waiting to be shown once on the success page; memory only, never written to storage.
  private reveals = new Map<string, { token: string; expiresAt: number }>()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS logs (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, level TEXT, message TEXT)',
    )
  }

  /** Appends output of the worker's invocations, keeping the newest LOG_LINES_KEPT lines. */
  appendLogs(lines: LogLine[]): void {
    const sql = this.ctx.storage.sql
    for (const line of lines.slice(-LOG_LINES_KEPT)) {
      sql.exec('INSERT INTO logs (at, level, message) VALUES (?, ?, ?)', line.at, line.level, line.message)
    }
    sql.exec('DELETE FROM logs WHERE id <= (SELECT MAX(id) FROM logs) - ?', LOG_LINES_KEPT)
  }

  /** The recent lines, oldest first, for the owner (or an admin) only. */
  async readLogs(credential: Credential): Promise<{ ok: true; lines: LogLine[] } | LeaseRefusal> {
    const refusal = await authorize(await this.ctx.storage.get<Owner>('owner'), credential, true)
    if (refusal) return { ok: false, reason: refusal }
    const rows = this.ctx.storage.sql.exec<{ at: string; level: string; message: string }>(
      'SELECT at, level, message FROM logs ORDER BY id',
    )
    return { ok: true, lines: rows.toArray().map(({ at, level, message }) => ({ at, level, message })) }
  }

  /** Waits for the name's lock, then checks the credential; on success the caller holds the lease. */
  async acquire(credential: Credential): Promise<Lease | LeaseRefusal> {
    // Uploads that started while the name was free and lost the race get 409, not 403.
    const claimedOnArrival = (await this.ctx.storage.get<Owner>('owner')) !== undefined

    let release!: () => void
    const turn = new Promise<void>((resolve) => (release = resolve))
    const ahead = this.queue
    this.queue = ahead.then(() => turn)
    await ahead

    const owner = await this.ctx.storage.get<Owner>('owner')
    const refusal = await authorize(owner, credential, claimedOnArrival)
    if (refusal) {
      release()
      return { ok: false, reason: refusal }
    }
    const leaseId = randomToken()
    const ownerId = owner?.ownerId ?? newOwnerId()
    const timer = setTimeout(() => this.end(leaseId), LEASE_MS)
    this.lease = { id: leaseId, ownerId, release, timer }
    const current = (await this.ctx.storage.get<WorkerRecord>('record')) ?? null
    return { ok: true, leaseId, ownerId, current }
  }

  /**
   * Records the new state of the name (with a deployment's sealed secrets, if any); claims the name (and mints its token) if
   * it was free; forgets the secrets of deployments whose code is being removed. Ends the lease.
   */
  async commit(
    leaseId: string,
    record: WorkerRecord,
    secrets?: SealedSecrets,
    expired: string[] = [],
  ): Promise<Committed> {
    const lease = this.requireLease(leaseId)
    try {
      if (secrets) await this.ctx.storage.put(secretsKey(record.workerId), secrets)
      if (expired.length > 0) await this.ctx.storage.delete(expired.map(secretsKey))
      let committed: Committed = {}
      if (!(await this.ctx.storage.get<Owner>('owner'))) {
        const token = newDeployToken()
        const owner: Owner = { ownerId: lease.ownerId, tokenHash: await hashToken(token), claimedAt: record.updatedAt }
        await this.ctx.storage.put('owner', owner)
        const revealId = randomToken()
        this.reveals.set(revealId, { token, expiresAt: Date.now() + REVEAL_MS })
        committed = { token, revealId }
      }
      await this.ctx.storage.put('record', record)
      return committed
    } finally {
      this.end(leaseId)
    }
  }

  /** Forgets the name entirely: owner and record. The name is free again. Ends the lease. */
  async commitDelete(leaseId: string): Promise<void> {
    this.requireLease(leaseId)
    try {
      this.ctx.storage.sql.exec('DELETE FROM logs')
      await this.ctx.storage.deleteAll()
    } finally {
      this.end(leaseId)
    }
  }

  /** Gives the lease back without changes (the deploy failed). */
  abort(leaseId: string): void {
    this.end(leaseId)
  }

  /** The sealed secrets of one deployment (platform-internal: only this Worker can call the object). */
  async readSecrets(workerId: string): Promise<SealedSecrets | null> {
    return (await this.ctx.storage.get<SealedSecrets>(secretsKey(workerId))) ?? null
  }

  /** Returns a freshly minted token once, for the page the upload form redirects to. */
  takeReveal(revealId: string): string | null {
    const entry = this.reveals.get(revealId)
    this.reveals.delete(revealId)
    return entry && entry.expiresAt > Date.now() ? entry.token : null
  }

  private requireLease(leaseId: string) {
    if (this.lease?.id !== leaseId) throw new Error('The lease on this name expired before the change was committed.')
    return this.lease
  }

  private end(leaseId: string): void {
    if (this.lease?.id !== leaseId) return
    clearTimeout(this.lease.timer)
    this.lease.release()
    this.lease = null
    const now = Date.now()
    for (const [id, entry] of this.reveals) if (entry.expiresAt <= now) this.reveals.delete(id)
  }
}

const secretsKey = (workerId: string) => `secrets/${workerId}`
