import { WorkerEntrypoint } from 'cloudflare:workers'
import { TenantKvStore, type KvGetOptions, type KvListOptions, type KvPutOptions } from './kv'
import { countOperation, quotasFor } from './quotas'
import { assertStorageRef, type StorageRef } from './refs'
import { kvLedger } from './store'

/**
 * A user Worker's `env.KV` on both backends: the platform hands it this entrypoint with the
 * worker's name and owner as props (a loopback binding on dynamic-workers, a service binding with
 * props on dispatch-namespace), so its code can only ever reach its own keys.
 */
export class TenantKV extends WorkerEntrypoint<Env, StorageRef> {
  get(key: string, options?: KvGetOptions): Promise<unknown> {
    return this.store().get(key, options)
  }

  getWithMetadata(key: string, options?: KvGetOptions): Promise<{ value: unknown; metadata: unknown }> {
    return this.store().getWithMetadata(key, options)
  }

  put(key: string, value: unknown, options?: KvPutOptions): Promise<void> {
    return this.store().put(key, value, options)
  }

  delete(key: string): Promise<void> {
    return this.store().delete(key)
  }

  list(options?: KvListOptions) {
    return this.store().list(options)
  }

  private store(): TenantKvStore {
    const ref = assertStorageRef(this.ctx.props)
    const quotas = quotasFor(this.env)
    countOperation(ref.name, quotas)
    return new TenantKvStore(this.env.TENANT_KV, () => kvLedger(this.env, ref), ref, quotas)
  }
}
