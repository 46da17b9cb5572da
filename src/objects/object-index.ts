import { number, optional } from 'valibot'
import { parseStored } from '../core/schema'
import { hostName, objectKeySchema, type ObjectKey } from './object-key'

const PREFIX = 'objects/'

/** The index key of an object: by owner, then namespace, so either lists its objects. */
function indexKey(key: ObjectKey): string {
  return `${PREFIX}${key.ownerId}/${key.namespace}/${key.id}`
}

/**
 * Every tenant object a worker's code has touched, kept in its name's object (NameClaim): Durable
 * Objects cannot be listed, and `deleted_classes` and deleting the worker must delete them all.
 * An object is indexed at its first touch, before its code runs, so none is missed.
 */
export class ObjectIndex {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly hosts: { getByName(name: string): ObjectHost },
  ) {}

  /** Indexes an object, unless its owner's code already made `max` (false: refused). */
  async add(key: ObjectKey, max: number): Promise<boolean> {
    const indexed = indexKey(key)
    if ((await this.storage.get(indexed)) !== undefined) return true
    const counted = countKey(key.ownerId)
    const count = parseStored(optional(number(), 0), await this.storage.get(counted), 'An object count')
    if (count >= max) return false
    await this.storage.put({ [indexed]: key, [counted]: count + 1 })
    return true
  }

  /** How many objects an owner's code has made, by namespace. */
  async counts(ownerId: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {}
    for (const indexed of (await this.storage.list({ prefix: prefixOf(ownerId, undefined) })).keys()) {
      const namespace = indexed.split('/')[2] ?? ''
      counts[namespace] = (counts[namespace] ?? 0) + 1
    }
    return counts
  }

  /** Deletes every object of an owner (of these namespaces, when given), each with all its storage. Idempotent. */
  async destroy(ownerId: string, namespaces?: string[]): Promise<void> {
    for (const prefix of namespaces?.map((namespace) => prefixOf(ownerId, namespace)) ?? [
      prefixOf(ownerId, undefined),
    ]) {
      for (const [indexed, value] of await this.storage.list({ prefix })) {
        const key = parseStored(objectKeySchema, value, 'An indexed Durable Object')
        await this.hosts.getByName(hostName(key)).destroy()
        await this.storage.delete(indexed)
      }
    }
    const counted = countKey(ownerId)
    const left = (await this.storage.list({ prefix: prefixOf(ownerId, undefined) })).size
    if (left === 0) await this.storage.delete(counted)
    else await this.storage.put(counted, left)
  }
}

/** How many objects an owner's code has made (kept beside the index: a list would read them all). */
function countKey(ownerId: string): string {
  return `objects-count/${ownerId}`
}

function prefixOf(ownerId: string, namespace: string | undefined): string {
  return namespace === undefined ? `${PREFIX}${ownerId}/` : `${PREFIX}${ownerId}/${namespace}/`
}

/** What the index needs of an object's host (platform/tenant-object.ts). */
export interface ObjectHost {
  destroy(): Promise<void>
}
