import type { WorkerRecord } from '../core/model'
import { randomToken } from '../lib/crypto'
import type { SealedSecrets } from './secrets'
import type { Refusal } from './ownership'
import type { AuditSource } from '../audit/audit-events'

export type LeaseRefusal = { ok: false; reason: Refusal }

/** What a call for the owner (or an admin) only answers: no such worker, refused, or its result. */
export type OwnerOnly<T> = { ok: true; found: false } | ({ ok: true; found: true } & T) | LeaseRefusal

export type Lease = {
  ok: true
  leaseId: string
  /** The owner the deployment will belong to (the existing one, or the one a first upload claims). */
  ownerId: string
  /** The account a first upload claims the name for (it came with that account's API token). */
  accountId?: string
  /** The current record (this object is the authority; KV may lag), or null for a free name. */
  current: WorkerRecord | null
}

/** A change to commit under a lease. */
export interface Change {
  record: WorkerRecord
  /** Sealed secret values of the deployment a deploy adds (current or candidate), when it has any. */
  secrets?: { workerId: string; sealed: SealedSecrets }
  /** Worker IDs whose code may now be deleted (their grace period is over). */
  expired: string[]
  /** Only a deploy may claim a free name; every other change needs an existing one. */
  claim: boolean
  /** The names (never the values) of the secrets this change gives a value, for the audit log. */
  secretsSet?: string[]
}

export interface Committed {
  /** Set only when this commit claimed the name: the deploy token, returned this once. */
  token?: string
  /** One-time key under which the token can be shown again by `takeReveal` (for the form's redirect). */
  revealId?: string
  /** Set when this commit claimed the name for an account: it lists the worker. */
  accountId?: string
  /** The record as stored: the change's, with the owner's account (withAccount). */
  record?: WorkerRecord
}

/** The record with the account that owns the name now, so dispatch needs no other read to find it (or without one). */
export function withAccount(record: WorkerRecord, accountId: string | undefined): WorkerRecord {
  const { accountId: _previous, ...rest } = record
  return accountId ? { ...rest, accountId } : rest
}

/** How long a lease may be held before it is taken back (a Worker that died mid-change). */
export const LEASE_MS = 30_000

/** The lease one change holds: who it is for, and how to give the name's turn back. */
interface Held {
  id: string
  ownerId: string
  accountId?: string
  /** Who holds it and from where, for the audit log of what it commits. */
  source: AuditSource
  acquiredAt: number
  release: () => void
  timer: ReturnType<typeof setTimeout>
}

/**
 * The name's lock: changes queue for their turn, and the one whose turn it is holds a lease until
 * it ends it, or for LEASE_MS at most. In memory: the object is one instance, and a lease does not
 * outlive it (a holder whose object was evicted lost the lease, and its commit is refused).
 */
export class LeaseQueue {
  private queue: Promise<void> = Promise.resolve()
  private held: Held | null = null

  /** Waits for the name's turn; the function returned gives it back (unless a lease takes it over). */
  async turn(): Promise<() => void> {
    let release!: () => void
    const turn = new Promise<void>((resolve) => (release = resolve))
    const ahead = this.queue
    this.queue = ahead.then(() => turn)
    await ahead
    return release
  }

  /** Holds the turn as a lease for `ownerId` (and the account claiming a free name); returns its ID. */
  hold(ownerId: string, release: () => void, source: AuditSource, accountId?: string): string {
    const id = randomToken()
    const timer = setTimeout(() => this.end(id), LEASE_MS)
    this.held = { id, ownerId, accountId, source, acquiredAt: Date.now(), release, timer }
    return id
  }

  /** Whether any change holds the name now. */
  get busy(): boolean {
    return this.held !== null
  }

  isHeld(leaseId: string): boolean {
    return this.held?.id === leaseId
  }

  /** The lease `leaseId`, or an error when it ended (expired, or the object restarted). */
  require(leaseId: string): Held {
    if (this.held?.id !== leaseId) throw new Error('The lease on this name expired before the change was committed.')
    return this.held
  }

  /** Ends a lease held longer than LEASE_MS at `now` (its timer may not have fired yet). */
  expire(now: number): void {
    if (this.held && now - this.held.acquiredAt >= LEASE_MS) this.end(this.held.id)
  }

  end(leaseId: string): void {
    if (this.held?.id !== leaseId) return
    clearTimeout(this.held.timer)
    this.held.release()
    this.held = null
  }
}
