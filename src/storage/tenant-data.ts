import { PlatformError, workerNotFound } from '../core/errors'
import type { WorkerRecord } from '../core/model'
import { assertValidName } from '../core/names'
import type { NameChanges } from '../names/changes'
import type { Proof } from '../names/ownership'
import { HOW_TO_GIVE_THE_TOKEN, refusal } from '../names/refusals'
import type { StorageUsage } from './database.do'
import { storageRefOf } from './refs'
import type { TenantStorage } from './store'

/** What a worker keeps in env.KV and env.DB, as its page and its owner see it. */
export class TenantData {
  constructor(
    private readonly parts: {
      changes: NameChanges
      storage: TenantStorage
    },
  ) {}

  /** What a worker keeps (for its page; the data belongs to the name, whatever its settings now). */
  usage(record: WorkerRecord): Promise<StorageUsage> {
    return this.parts.storage.usage(storageRefOf(record))
  }

  /**
   * A worker's stored data for its owner (or an admin): the KV entries as JSON lines, or the SQL
   * database as a script that recreates it.
   */
  async export(name: string, token: Proof, kind: 'kv' | 'sql'): Promise<ReadableStream> {
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
    const ref = storageRefOf(result.record)
    return kind === 'kv' ? storage.exportKv(ref) : storage.exportSql(ref)
  }
}
