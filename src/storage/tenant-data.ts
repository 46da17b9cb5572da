import { PlatformError, workerNotFound } from '../core/errors'
import type { WorkerRecord, WorkerSettings } from '../core/model'
import { assertValidName } from '../core/names'
import type { NameChanges } from '../names/changes'
import type { Proof } from '../names/ownership'
import { HOW_TO_GIVE_THE_TOKEN, refusal } from '../names/refusals'
import type { StorageUsage } from './database.do'
import { storageRefOf, storeRef } from './refs'
import type { TenantStorage } from './store'
import type { Objects } from '../objects/objects'

/** One store a project declared: the bindings that name it now (none: it left the config), and what it keeps. */
export interface DeclaredStoreUsage {
  store: string
  bindings: { binding: string; kind: 'kv' | 'd1' }[]
  usage: StorageUsage
}

/** A Durable Object namespace of the worker's: the binding that names it now (none: it left the config), and how many objects it holds. */
export interface ObjectNamespaceUsage {
  namespace: string
  binding?: { binding: string; className: string }
  objects: number
}

/** What a worker keeps: in env.KV and env.DB's own stores, in each store it has declared, and in its Durable Objects. */
export interface WorkerStorageUsage {
  own: StorageUsage
  declared: DeclaredStoreUsage[]
  objects: ObjectNamespaceUsage[]
}

/** What a worker keeps in env.KV and env.DB, as its page and its owner see it. */
export class TenantData {
  constructor(
    private readonly parts: {
      changes: NameChanges
      storage: TenantStorage
      objects: Pick<Objects, 'counts'>
    },
  ) {}

  /**
   * What a worker keeps (for its page; the data belongs to the name, whatever its settings now):
   * env.KV's and env.DB's own stores, and every store it has declared, by the bindings that name it
   * under `settings` (the serving deployment's).
   */
  async usage(record: WorkerRecord, settings: WorkerSettings): Promise<WorkerStorageUsage> {
    const { storage } = this.parts
    const ref = storageRefOf(record)
    const bindingsOf = (store: string) => [
      ...(settings.storage?.kvNamespaces ?? [])
        .filter((named) => named.store === store)
        .map(({ binding }) => ({ binding, kind: 'kv' as const })),
      ...(settings.storage?.d1Databases ?? [])
        .filter((named) => named.store === store)
        .map(({ binding }) => ({ binding, kind: 'd1' as const })),
    ]
    const [own, declared, objects] = await Promise.all([
      storage.usage(ref),
      Promise.all(
        (record.stores ?? []).map(async (store) => ({
          store,
          bindings: bindingsOf(store),
          usage: await storage.usage(storeRef(ref, store)),
        })),
      ),
      this.objectUsage(record, settings),
    ])
    return { own, declared, objects }
  }

  /** Each namespace bound now or holding objects, with its binding and object count. */
  private async objectUsage(record: WorkerRecord, settings: WorkerSettings): Promise<ObjectNamespaceUsage[]> {
    const bound = settings.storage?.durableObjects ?? []
    // Only a worker that has bound objects in a deployment it keeps asks its name's object.
    const everBound = record.deployments.some((entry) => entry.settings?.storage?.durableObjects?.length)
    if (bound.length === 0 && !everBound) return []
    const counts = await this.parts.objects.counts(record)
    const namespaces = [...new Set([...bound.map((entry) => entry.namespace), ...Object.keys(counts)])]
    return namespaces.map((namespace) => {
      const entry = bound.find((binding) => binding.namespace === namespace)
      return {
        namespace,
        ...(entry ? { binding: { binding: entry.binding, className: entry.className } } : {}),
        objects: counts[namespace] ?? 0,
      }
    })
  }

  /**
   * A worker's stored data for its owner (or an admin): the KV entries as JSON lines, or the SQL
   * database as a script that recreates it.
   */
  async export(name: string, token: Proof, kind: 'kv' | 'sql', store?: string): Promise<ReadableStream> {
    const { changes, storage } = this.parts
    const result = await changes.claim(assertValidName(name)).access(await changes.credential(token))
    if (!result.ok) {
      throw result.reason === 'token_required'
        ? new PlatformError(
            'forbidden',
            `Only the owner can export this worker's data: give its deploy token ${HOW_TO_GIVE_THE_TOKEN}.`,
          )
        : refusal(result.reason, 'read')
    }
    if (!result.found) throw workerNotFound(name)
    // A declared store: one the worker has declared (its record lists them), never any other name.
    if (store !== undefined && !(result.record.stores ?? []).includes(store)) {
      throw new PlatformError('not_found', `"${name}" has no store "${store}".`)
    }
    const ref = store === undefined ? storageRefOf(result.record) : storeRef(storageRefOf(result.record), store)
    return kind === 'kv' ? storage.exportKv(ref) : storage.exportSql(ref)
  }
}
