import { WorkerEntrypoint } from 'cloudflare:workers'
import { TenantKvStore, type KvGetOptions, type KvListOptions, type KvListResult, type KvPutOptions } from './kv'
import { countOperation, quotasFor } from './quotas'
import { assertStorageRef, type StorageRef } from './refs'
import { attempt, type Refusable } from './refusal'
import { kvLedger } from './store'
import { usageCounter } from '../metrics/usage-counts'

/**
 * A user Worker's `env.KV` on both backends: the platform hands it this entrypoint with the
 * worker's name and owner as props (a loopback binding on dynamic-workers, a service binding with
 * props on dispatch-namespace), so its code can only ever reach its own keys.
 *
 * The KV methods throw their refusals, as the raw binding always has (service-worker scripts, code
 * reading `env` from cloudflare:workers, bundles deployed before the facade). The facade the
 * platform adds to module workers (kv-shim.ts) calls the `try` ones, which answer a refusal as a
 * value that it throws in the tenant's isolate (storage/refusal.ts says why).
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

  list(options?: KvListOptions): Promise<KvListResult> {
    return this.store().list(options)
  }

  tryGet(key: string, options?: KvGetOptions): Promise<Refusable<unknown>> {
    return attempt(() => this.get(key, options))
  }

  tryGetWithMetadata(key: string, options?: KvGetOptions): Promise<Refusable<{ value: unknown; metadata: unknown }>> {
    return attempt(() => this.getWithMetadata(key, options))
  }

  tryPut(key: string, value: unknown, options?: KvPutOptions): Promise<Refusable<void>> {
    return attempt(() => this.put(key, value, options))
  }

  tryDelete(key: string): Promise<Refusable<void>> {
    return attempt(() => this.delete(key))
  }

  tryList(options?: KvListOptions): Promise<Refusable<KvListResult>> {
    return attempt(() => this.list(options))
  }

  private store(): TenantKvStore {
    const ref = assertStorageRef(this.ctx.props)
    const quotas = quotasFor(this.env)
    countOperation(ref.name, quotas)
    // Metered per worker (all its stores together), in this isolate's memory: no write per call.
    const worker = { name: ref.name, ownerId: ref.ownerId }
    const meter = (kvOps: number, kvBytes: number) =>
      usageCounter.count(this.env.WORKER_METRICS, worker, { kvOps, kvBytes }, this.ctx)
    return new TenantKvStore(this.env.TENANT_KV, () => kvLedger(this.env, ref), ref, quotas, Date.now, meter)
  }
}
