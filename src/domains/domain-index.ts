import { array, optional, string } from 'valibot'
import { parseStored } from '../core/schema'

/** Where a worker's name's object lists its custom domains. */
export const DOMAINS_KEY = 'domains'

/** One hostname added (while the worker has fewer than `max`) or removed. */
export type DomainChange = { add: string; max: number } | { remove: string }

/** The worker's hostnames after a change, whether the change did anything, and whether an add found no room. */
export interface DomainList {
  hostnames: string[]
  changed: boolean
  full?: boolean
}

/**
 * The hostnames a worker has claimed, kept by its name's object (which counts them against
 * MAX_DOMAINS_PER_WORKER one change at a time, and releases them when the worker is deleted). Each
 * hostname's own object (custom-domain.do.ts) is the authority on who holds it.
 */
export class DomainIndex {
  constructor(private readonly storage: DurableObjectStorage) {}

  list(): string[] {
    return parseStored(optional(array(string()), []), this.storage.kv.get(DOMAINS_KEY), 'The worker’s custom domains')
  }

  change(change: DomainChange | undefined): DomainList {
    const hostnames = this.list()
    if (change === undefined) return { hostnames, changed: false }
    if ('remove' in change) {
      if (!hostnames.includes(change.remove)) return { hostnames, changed: false }
      return this.save(hostnames.filter((hostname) => hostname !== change.remove))
    }
    if (hostnames.includes(change.add)) return { hostnames, changed: false }
    // Answered as a value: an error thrown here would reach the caller without its status.
    if (hostnames.length >= change.max) return { hostnames, changed: false, full: true }
    return this.save([...hostnames, change.add])
  }

  private save(hostnames: string[]): DomainList {
    if (hostnames.length === 0) this.storage.kv.delete(DOMAINS_KEY)
    else this.storage.kv.put(DOMAINS_KEY, hostnames)
    return { hostnames, changed: true }
  }
}
