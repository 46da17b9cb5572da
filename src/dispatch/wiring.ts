import type { FetcherOptions, StorageBindings, UserWorkerBackend, UserWorkerFetcher } from '../backends/backend'
import type { Config } from '../core/config'
import type { Compatibility, Deployment, EgressPolicy, WorkerRecord, WorkerSettings } from '../core/model'
import { defaultSettings } from '../deploy/settings'
import type { TenantStorage } from '../storage/store'
import { DB_BINDING, KV_BINDING, storageRefOf, storeRef, type StorageRef } from '../storage/refs'
import type { DispatchContext } from './egress'
import { CACHE_BINDING } from '../cache/cache-shim'
import type { NamespaceRef } from '../objects/object-key'

/**
 * What a tail does with invocations: `live` sends every one (a live tail is open); `logs: false`
 * keeps no lines (a CPU-only tail); `cpu` counts their CPU time (metrics/usage-counts.ts).
 */
export interface TailUse {
  live?: boolean
  logs?: boolean
  cpu?: boolean
}

/** This Worker's own entrypoints that user Workers are wired to, as bindings to hand them. */
export interface Entrypoints {
  /** The owner ID is the generation the invocations run for (core/generation.ts): their lines go to it only. */
  logTail(name: string, workerId: string, ownerId: string, use: TailUse): Fetcher
  egressGate(policy: EgressPolicy, context: DispatchContext): Fetcher
  /** A worker's env.KV (storage/): the entrypoint with the worker's name and owner as props. */
  tenantKv(ref: StorageRef): Fetcher
  /** A deployment's assets binding (assets/tenant-assets.ts). */
  tenantAssets(workerId: string): Fetcher
  /** A worker's Cache API on dynamic-workers (cache/tenant-cache.ts), per isolation mode. */
  tenantCache(ref: StorageRef, trusted: boolean): Fetcher
  /** A Durable Object binding of a worker (objects/tenant-objects.ts): its namespace's objects only. */
  tenantObjects(ref: NamespaceRef): Fetcher
}

/**
 * How one deployment of a worker is run, for a request (dispatch) or a scheduled run (cron) alike:
 * the backend's fetcher with the deployment's settings, runtime, storage bindings and this Worker's
 * egress gate.
 */
export class WorkerWiring {
  constructor(
    private readonly parts: {
      config: Pick<Config, 'limits' | 'userCompatibilityDate' | 'userWorkersTrusted'>
      backend: Pick<UserWorkerBackend, 'fetcher'>
      entrypoints: Entrypoints
      storage: Pick<TenantStorage, 'database'>
    },
  ) {}

  /** The settings a deployment runs with; records from before settings existed get the defaults. */
  settingsOf(deployment: Deployment | undefined): WorkerSettings {
    return deployment?.settings ?? defaultSettings(this.parts.config.limits)
  }

  /** The runtime a deployment gets when its upload does not ask for one. */
  defaultCompatibility(): Compatibility {
    return { date: this.parts.config.userCompatibilityDate, flags: [] }
  }

  /** The tail of one deployment's invocations (see TailUse). */
  logTail(record: WorkerRecord, workerId: string, use: TailUse = {}): Fetcher {
    return this.parts.entrypoints.logTail(record.name, workerId, record.ownerId, use)
  }

  /** The backend's fetcher for one deployment of a record, wired to this Worker's egress gate. */
  fetcherOf(
    record: WorkerRecord,
    deployment: Deployment | undefined,
    context: DispatchContext,
    wiring: Pick<FetcherOptions, 'secrets' | 'tail' | 'liveTail' | 'cpu'>,
  ): UserWorkerFetcher {
    const settings = this.settingsOf(deployment)
    const { backend, entrypoints } = this.parts
    return backend.fetcher(deployment?.workerId ?? record.workerId, {
      name: record.name,
      settings,
      // Called by dynamic-workers when it loads the isolate; dispatch-namespace binds at upload.
      storageBindings: () => this.ownBindings(record, deployment, settings),
      compatibility: deployment?.compatibility ?? this.defaultCompatibility(),
      assets: (deployment?.build?.assets.count ?? 0) > 0 || deployment?.build?.hasWorker === false,
      context,
      egressGate: (egress) => entrypoints.egressGate(egress, context),
      ...wiring,
    })
  }

  /**
   * The bindings of a loaded deployment's own data, by name: env.KV and env.DB and the declared
   * stores (storage/), and its assets binding (assets/tenant-assets.ts).
   */
  private ownBindings(
    record: WorkerRecord,
    deployment: Deployment | undefined,
    settings: WorkerSettings,
  ): StorageBindings {
    const workerId = deployment?.workerId ?? record.workerId
    const ref = storageRefOf(record)
    const { entrypoints, storage } = this.parts
    const bindings: StorageBindings = {
      // Taken out of the env the code sees by the shim, which installs it as the global caches.
      ...(deployment?.caches
        ? { [CACHE_BINDING]: entrypoints.tenantCache(ref, this.parts.config.userWorkersTrusted) }
        : {}),
      ...(settings.assetsBinding ? { [settings.assetsBinding]: entrypoints.tenantAssets(workerId) } : {}),
      ...(settings.storage?.kv ? { [KV_BINDING]: entrypoints.tenantKv(ref) } : {}),
      ...(settings.storage?.sql ? { [DB_BINDING]: storage.database(ref) } : {}),
    }
    for (const { binding, store } of settings.storage?.kvNamespaces ?? []) {
      bindings[binding] = entrypoints.tenantKv(storeRef(ref, store))
    }
    for (const { binding, store } of settings.storage?.d1Databases ?? []) {
      bindings[binding] = storage.database(storeRef(ref, store))
    }
    for (const { binding, className, namespace } of settings.storage?.durableObjects ?? []) {
      bindings[binding] = entrypoints.tenantObjects({ ...ref, namespace, className, deployment: workerId })
    }
    return bindings
  }
}
