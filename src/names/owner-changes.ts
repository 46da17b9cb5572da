import type { AuditEntry, AuditSource } from '../audit/audit-events'
import { array, looseObject, string, type GenericSchema } from 'valibot'
import type { LogLine } from '../core/model'
import { parseStored } from '../core/schema'
import { platformNote } from '../logs/logs'
import { storedOwner } from './claim-storage'
import type { LeaseQueue, OwnerOnly } from './lease'
import { authorize, hashToken, newDeployToken, type Credential, type Owner } from './ownership'

/** A change to who holds the name or how it is proved: a rotated deploy token, a move, a revoked API token. */
export interface OwnerEvent {
  at: string
  message: string
}

/** How many owner events a name keeps (the newest): unlike log lines, they do not scroll away with traffic. */
export const OWNER_EVENTS_KEPT = 50
/** Where they are kept in the name's storage; deleting the worker deletes them with its owner. */
export const OWNER_EVENTS_KEY = 'owner-events'

const ownerEventsSchema: GenericSchema<OwnerEvent[]> = array(looseObject({ at: string(), message: string() }))

/**
 * Changes to who holds a name that are not deploys (a rotated deploy token, a move into an account):
 * each waits for the name's turn like any change, proves the caller against the current owner and
 * writes the new owner record together with an event in the name's owner history; the worker's
 * logs get the same words as a line.
 */
export class OwnerChanges {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly leases: LeaseQueue,
    /** The name's logs, for the owner generation that holds it. */
    private readonly log: (lines: LogLine[], ownerId: string) => Promise<void>,
    /** The name's audit log (synchronous, so it is written with the change). */
    private readonly audit: (entries: AuditEntry[], source: AuditSource, ownerId: string) => void,
  ) {}

  /**
   * Replaces the deploy token, for its owner (the current deploy token, its account's API token, or
   * an admin): the old token is refused by the next request, since every check reads the owner
   * from the name's object. The new token is returned once.
   */
  rotateToken(credential: Credential, source: AuditSource): Promise<OwnerOnly<{ token: string }>> {
    return this.change(credential, source, async (owner) => {
      const token = newDeployToken()
      const by = credential.admin ? 'an admin' : credential.accountId ? 'an API token of its account' : 'its owner'
      return {
        owner: { ...owner, tokenHash: await hashToken(token) },
        note: `The deploy token was rotated by ${by}: the previous one no longer works.`,
        audit: { action: 'token-rotate', detail: 'Rotated the deploy token.' },
        result: { token },
      }
    })
  }

  /**
   * Moves the name into an account, for a caller who proved the name (its deploy token, an admin, or
   * the API token of the account it is in now); the account was proved by its API token. Returns
   * the account it belonged to before, if any.
   */
  joinAccount(
    credential: Credential,
    accountId: string,
    source: AuditSource,
  ): Promise<OwnerOnly<{ previous?: string }>> {
    return this.change(credential, source, (owner) =>
      Promise.resolve({
        owner: { ...owner, accountId },
        note: `Moved into account ${accountId}.`,
        audit: { action: 'account-join', detail: `Moved into account ${accountId}.` },
        result: owner.accountId ? { previous: owner.accountId } : {},
      }),
    )
  }

  /** Records an account's change that concerns this name (a revoked API token), if the account still owns it. */
  async noteForAccount(accountId: string, message: string): Promise<void> {
    // Not behind the lease: a revocation must not wait for a deploy. Reading the history and
    // writing it back has no await between them but storage's, which the input gate keeps atomic.
    const owner = await storedOwner(this.storage)
    if (owner?.accountId !== accountId) return
    await this.storage.put(OWNER_EVENTS_KEY, await this.withEvent(message))
    await this.log([platformNote(message)], owner.ownerId)
  }

  /** The owner history, oldest first (the caller checked who asks). */
  async events(): Promise<OwnerEvent[]> {
    const stored = await this.storage.get(OWNER_EVENTS_KEY)
    return stored === undefined ? [] : parseStored(ownerEventsSchema, stored, 'The name’s owner history')
  }

  private async change<T extends object>(
    credential: Credential,
    source: AuditSource,
    work: (owner: Owner) => Promise<{ owner: Owner; note: string; audit: AuditEntry; result: T }>,
  ): Promise<OwnerOnly<T>> {
    const release = await this.leases.turn()
    try {
      const owner = await storedOwner(this.storage)
      if (!owner) return { ok: true, found: false }
      const refusal = await authorize(owner, credential, true)
      if (refusal) return { ok: false, reason: refusal }
      const changed = await work(owner)
      // One put of both keys, and the audit entry with no await between (one write): the new owner
      // is never stored without its events, nor the events without it.
      this.audit([changed.audit], source, owner.ownerId)
      await this.storage.put({ owner: changed.owner, [OWNER_EVENTS_KEY]: await this.withEvent(changed.note) })
      await this.log([platformNote(changed.note)], owner.ownerId)
      return { ok: true, found: true, ...changed.result }
    } finally {
      release()
    }
  }

  private async withEvent(message: string): Promise<OwnerEvent[]> {
    const event = { at: new Date().toISOString(), message }
    return [...(await this.events()), event].slice(-OWNER_EVENTS_KEPT)
  }
}
