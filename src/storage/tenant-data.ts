import { PlatformError, workerNotFound } from '../core/errors'
import type { WorkerRecord, WorkerSettings } from '../core/model'
import { assertValidName } from '../core/names'
import type { NameChanges } from '../names/changes'
import type { Proof } from '../names/ownership'
import { HOW_TO_GIVE_THE_TOKEN, refusal } from '../names/refusals'
import type { StorageUsage } from './database.do'
import { storageRefOf, storeRef } from './refs'
import type { TenantStorage } from './store'

/** One store a project declared: the bindings that name it now (none: it left the config), and what it keeps. */
export interface DeclaredStoreUsage {
  store: string
  bindings: { binding: string; kind: 'kv' | 'd1' }[]
  usage: StorageUsage
}

/** What a worker keeps: in env.KV and env.DB's own stores, and in each store it has declared. */
export interface WorkerStorageUsage {
  own: StorageUsage
  declared: DeclaredStoreUsage[]
}

/** What a worker keeps in env.KV and env.DB, as its page and its owner see it. */
export class TenantData {
  constructor(
    private readonly parts: {
      changes: NameChanges
      storage: TenantStorage
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
    const [own, declared] = await Promise.all([
      storage.usage(ref),
      Promise.all(
        (record.stores ?? []).map(async (store) => ({
          store,
          bindings: bindingsOf(store),
          usage: await storage.usage(storeRef(ref, store)),
        })),
      ),
    ])
    return { own, declared }
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
