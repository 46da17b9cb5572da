import type { StorageQuotas } from '../core/config'
import { databaseName, type StorageRef } from './refs'
import { GrantBook, remoteBook, StoreGrant, type Amounts, type AskBook, type StoreKey } from './grants'
import { attempt, refusal } from './refusal'

/**
 * A store object's part in the worker's shared quotas (grants.ts), composed into TenantDatabase:
 * its own grant, asking for more (from the book in its own object when it is the worker's env.KV
 * ledger, else from that object), the book's decisions when it holds the book, and recalls.
 */
export class StoreGrants {
  private readonly book: GrantBook
  private grant: StoreGrant | undefined

  constructor(
    private readonly parts: {
      state: DurableObjectState
      databases: Env['TENANT_DATABASES']
      /** Which store this object is (from its name: read when first needed). */
      ref: () => StorageRef
      role: () => 'kv' | 'sql'
      /** What the store keeps now, in the grants' dimensions. */
      usage: () => Promise<Amounts>
    },
  ) {
    this.book = new GrantBook(parts.state.storage)
  }

  /** Whether `usage` fits this store's grant. */
  covers(usage: Amounts): boolean {
    return this.own().covers(usage)
  }

  /** Whether the grant holds more than a few chunks beyond `usage`: time to give some back. */
  hoards(usage: Amounts, quotas: StorageQuotas): boolean {
    return this.own().hoards(usage, quotas)
  }

  /**
   * Asks the worker's book for `usage` (and a chunk more). Not blocking this object meanwhile: the
   * book may recall this store's grant while it decides (callers count again after the answer).
   */
  ask(usage: Amounts, quotas: StorageQuotas): Promise<void> {
    const { name, ownerId, store } = this.parts.ref()
    const holdsBook = this.parts.role() === 'kv' && store === undefined
    const book: AskBook = holdsBook
      ? (key, needed, wanted) => this.decide(key, needed, wanted, quotas)
      : remoteBook((key, needed, wanted) =>
          this.parts.databases.getByName(`kv:${databaseName({ name, ownerId })}`).grantStorage(key, needed, wanted),
        )
    return this.own().ask(usage, quotas, book)
  }

  /** Runs a tenant's SQL call, once more with a larger grant when it outgrew this database's (GrantShort). */
  async within<T>(quotas: StorageQuotas, run: (final: boolean) => T): Promise<T> {
    try {
      return run(false)
    } catch (error) {
      if (!(error instanceof GrantShort)) throw error
      await this.ask({ sqlBytes: error.size }, quotas)
      return run(true)
    }
  }

  /** One decision of the book (this object holds it) at a time: it may recall other stores' grants meanwhile. */
  async decide(store: StoreKey, needed: Amounts, wanted: Amounts, quotas: StorageQuotas): Promise<Amounts> {
    const { name, ownerId } = this.parts.ref()
    const recall = (other: StoreKey): Promise<Amounts> => {
      if (other === 'kv:') return this.recall()
      const [role, id = ''] = other.split(':', 2) as ['kv' | 'sql', string]
      const ref = id === '' ? { name, ownerId } : { name, ownerId, store: id }
      return this.parts.databases.getByName(`${role}:${databaseName(ref)}`).recallGrant()
    }
    // Nothing may throw out of blockConcurrencyWhile (workerd would reset the object): a refusal comes out as a value.
    const answer = await this.parts.state.blockConcurrencyWhile(() =>
      attempt(() => this.book.grant(store, needed, wanted, quotas, recall)),
    )
    if (answer.ok) return answer.value
    throw refusal(answer.error.message)
  }

  /** The book takes back what this store does not use: its usage is its grant from now on. */
  async recall(): Promise<Amounts> {
    const usage = await this.parts.usage()
    this.own().recalled(usage)
    return usage
  }

  /** `kv:` or `sql:` and the store ID (empty for env.KV's and env.DB's own). */
  private own(): StoreGrant {
    this.grant ??= new StoreGrant(`${this.parts.role()}:${this.parts.ref().store ?? ''}`)
    return this.grant
  }
}

/** A call that outgrew its database's grant (not the quota): rolled back, asked for, run again. */
export class GrantShort extends Error {
  constructor(readonly size: number) {
    super('The database outgrew its grant.')
  }
}
