import { PlatformError, workerNotFound } from '../core/errors'
import type { ObjectKey } from './object-key'

/** What the use cases need of a name's object (NameClaim), which keeps the index (object-index.ts). */
export interface ObjectClaims {
  indexObject(key: ObjectKey): Promise<'indexed' | 'gone' | 'full'>
  objectCounts(ownerId: string): Promise<Record<string, number>>
  destroyObjects(ownerId: string, namespaces: string[]): Promise<void>
}

/** Tenants' Durable Objects (dynamic-workers): their index, counts for the worker page, and deletion. */
export class Objects {
  constructor(private readonly claims: { getByName(name: string): ObjectClaims }) {}

  /** An object's first touch: indexed, or refused when its owner no longer holds the name or has made the most it may. */
  async register(key: ObjectKey, max: number): Promise<void> {
    const indexed = await this.claims.getByName(key.name).indexObject(key)
    if (indexed === 'gone') throw workerNotFound(key.name)
    if (indexed === 'full') {
      throw new PlatformError(
        'invalid_request',
        `TENANT_OBJECTS_MAX exceeded: the worker "${key.name}" may make at most ${max} Durable Objects.`,
      )
    }
  }

  /** How many objects each namespace of a worker holds. */
  counts(owner: { name: string; ownerId: string }): Promise<Record<string, number>> {
    return this.claims.getByName(owner.name).objectCounts(owner.ownerId)
  }

  /** Deletes every object of the namespaces a deploy's migrations delete. */
  async destroy(owner: { name: string; ownerId: string }, namespaces: string[]): Promise<void> {
    if (namespaces.length > 0) await this.claims.getByName(owner.name).destroyObjects(owner.ownerId, namespaces)
  }
}
