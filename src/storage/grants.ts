import { looseObject, number, optional, type GenericSchema } from 'valibot'
import type { StorageQuotas } from '../core/config'
import { parseStored } from '../core/schema'
import { quotaError } from './quotas'
import { unwrap } from './refusal'

// The storage quotas count across a worker's stores (env.KV's, env.DB's and every declared one).
// Each store's object counts its own usage exactly; what the worker may keep is shared out as grants
// by one book, kept in the object of the worker's env.KV ledger: a store writes within its grant
// without asking anyone, and asks the book for more (a chunk beyond what it needs) when a write
// would pass it. The grants never add up to more than a quota, and no store holds more than its
// grant, so a worker never keeps more than its quotas, whatever its stores do at once.

/** What is counted against the quotas. */
export type Dimension = 'kvKeys' | 'kvBytes' | 'sqlBytes'
export type Amounts = Partial<Record<Dimension, number>>

const amountsSchema: GenericSchema<Amounts> = looseObject({
  kvKeys: optional(number()),
  kvBytes: optional(number()),
  sqlBytes: optional(number()),
})

const DIMENSIONS: { dimension: Dimension; setting: string; limit: (quotas: StorageQuotas) => number; what: string }[] =
  [
    { dimension: 'kvKeys', setting: 'TENANT_KV_MAX_KEYS', limit: (q) => q.kvMaxKeys, what: 'keys in its KV stores' },
    {
      dimension: 'kvBytes',
      setting: 'TENANT_KV_MAX_BYTES',
      limit: (q) => q.kvMaxBytes,
      what: 'bytes in its KV stores',
    },
    {
      dimension: 'sqlBytes',
      setting: 'TENANT_SQL_MAX_BYTES',
      limit: (q) => q.sqlMaxBytes,
      what: 'bytes in its databases',
    },
  ]

/** How much more than it needs a store is granted at once: 1/64 of the quota, so a store asks rarely. */
export function chunkOf(dimension: Dimension, quotas: StorageQuotas): number {
  const entry = DIMENSIONS.find((candidate) => candidate.dimension === dimension)
  return Math.max(1, Math.floor((entry?.limit(quotas) ?? 0) / 64))
}

/** A store's name in the book: its role and its store ID (empty for env.KV's and env.DB's own). */
export type StoreKey = `${'kv' | 'sql'}:${string}`

const BOOK_PREFIX = 'grant:'

/** The book of a worker's grants (in its env.KV ledger's object). */
export class GrantBook {
  constructor(private readonly storage: DurableObjectStorage) {}

  /**
   * Grants `store` at least `needed` and up to `wanted` in each dimension, within what the other
   * stores hold; when `needed` does not fit, the others holding more than they use are asked to
   * give it back (`recall`: each answers its usage, now its grant), and only then is the call
   * refused (a quota error naming the setting). A smaller grant than before is always taken.
   * Called with nothing else running in the book's object (the caller blocks it).
   */
  async grant(
    store: StoreKey,
    needed: Amounts,
    wanted: Amounts,
    quotas: StorageQuotas,
    recall: (other: StoreKey) => Promise<Amounts>,
  ): Promise<Amounts> {
    const short = this.shortOf(store, needed, quotas)
    if (short.length > 0) {
      for (const [other, amounts] of this.grants()) {
        if (other === store || !short.some((dimension) => (amounts[dimension] ?? 0) > 0)) continue
        // A store that cannot answer keeps its grant: the need may still not fit, and is refused then.
        const usage = await recall(other).catch(() => undefined)
        if (usage) this.record(other, { ...amounts, ...usage })
      }
    }
    const held = this.heldByOthers(store)
    const granted: Amounts = {}
    for (const { dimension, setting, limit, what } of DIMENSIONS) {
      const need = needed[dimension]
      if (need === undefined) continue
      const room = limit(quotas) - (held[dimension] ?? 0)
      if (need > room) throw quotaError(setting, `this worker may keep at most ${limit(quotas)} ${what}, together.`)
      granted[dimension] = Math.max(need, Math.min(wanted[dimension] ?? need, room))
    }
    this.record(store, { ...this.read(store), ...granted })
    return granted
  }

  /** The dimensions in which `needed` does not fit beside what the other stores hold. */
  private shortOf(store: StoreKey, needed: Amounts, quotas: StorageQuotas): Dimension[] {
    const held = this.heldByOthers(store)
    return DIMENSIONS.filter(
      ({ dimension, limit }) => (needed[dimension] ?? 0) > limit(quotas) - (held[dimension] ?? 0),
    ).map(({ dimension }) => dimension)
  }

  private record(store: StoreKey, amounts: Amounts): void {
    this.storage.kv.put(`${BOOK_PREFIX}${store}`, amounts)
  }

  private read(store: StoreKey): Amounts {
    return parseStored(optional(amountsSchema, {}), this.storage.kv.get(`${BOOK_PREFIX}${store}`), 'A storage grant')
  }

  private grants(): [StoreKey, Amounts][] {
    return [...this.storage.kv.list({ prefix: BOOK_PREFIX })].map(([key, stored]) => [
      key.slice(BOOK_PREFIX.length) as StoreKey,
      parseStored(amountsSchema, stored, 'A storage grant'),
    ])
  }

  private heldByOthers(store: StoreKey): Amounts {
    const total: Amounts = {}
    for (const [key, amounts] of this.grants()) {
      if (key === store) continue
      for (const { dimension } of DIMENSIONS) total[dimension] = (total[dimension] ?? 0) + (amounts[dimension] ?? 0)
    }
    return total
  }
}

/** Asks the book for a grant: the local book (env.KV's own ledger) or another object's. */
export type AskBook = (store: StoreKey, needed: Amounts, wanted: Amounts) => Promise<Amounts>

/** A book in another object, whose answer (a value or a refusal) is checked and thrown here. */
export function remoteBook(call: (store: StoreKey, needed: Amounts, wanted: Amounts) => Promise<unknown>): AskBook {
  return async (store, needed, wanted) => {
    const answer = unwrap(await call(store, needed, wanted))
    return parseStored(amountsSchema, answer, 'A storage grant')
  }
}

/**
 * A store's own grant, held in its object's memory: a database's storage is the tenant's (anything
 * kept there would show in its schema), and a grant forgotten when the object is evicted is only
 * asked for again at the next write (the book still counts it meanwhile).
 */
export class StoreGrant {
  private granted: Amounts = {}

  constructor(readonly store: StoreKey) {}

  held(): Amounts {
    return this.granted
  }

  /** The book took back what the store does not use: its grant is its usage now. */
  recalled(usage: Amounts): void {
    this.granted = { ...this.granted, ...usage }
  }

  /** Whether `usage` fits the grant in every dimension it names. */
  covers(usage: Amounts): boolean {
    const held = this.held()
    return Object.entries(usage).every(([dimension, amount]) => amount <= (held[dimension as Dimension] ?? 0))
  }

  /**
   * Asks the book for `usage` and a chunk more; throws the quota refusal when `usage` does not fit.
   * Also how a store gives back: `usage` smaller than its grant makes the grant smaller.
   */
  async ask(usage: Amounts, quotas: StorageQuotas, book: AskBook): Promise<void> {
    const wanted: Amounts = {}
    for (const [dimension, amount] of Object.entries(usage) as [Dimension, number][]) {
      wanted[dimension] = amount + chunkOf(dimension, quotas)
    }
    const granted = await book(this.store, usage, wanted)
    this.granted = { ...this.granted, ...granted }
  }

  /** Whether the grant holds more than a few chunks beyond `usage`: time to give some back. */
  hoards(usage: Amounts, quotas: StorageQuotas): boolean {
    const held = this.held()
    return (Object.entries(usage) as [Dimension, number][]).some(
      ([dimension, amount]) => (held[dimension] ?? 0) - amount > 4 * chunkOf(dimension, quotas),
    )
  }
}
