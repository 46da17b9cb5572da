import type { DispatchContext } from '../dispatch/egress'
import type { NamespaceTrust } from '../dispatch/isolation'
import type {
  BackendKind,
  Compatibility,
  DeploymentAssets,
  EgressPolicy,
  WorkerBundle,
  WorkerSettings,
} from '../core/model'
import type { ScheduledEvent } from '../cron/scheduled-module'
import type { SealedSecrets } from '../names/secrets'
import type { TenantDatabase } from '../storage/database.do'

/** The part of a Fetcher the platform uses to call a user Worker. */
export interface UserWorkerFetcher {
  fetch(request: Request): Promise<Response>
  /** Runs the deployment's `scheduled()` once (see cron/scheduled-module.ts); throws what it throws. */
  scheduled(event: ScheduledEvent): Promise<void>
  /** A Durable Object class the deployment exports, to run as a facet (objects/); backends that load code only. */
  objectClass?(className: string): DurableObjectClass
}

/**
 * Where user Workers live and run. A Worker ID is immutable: `deploy` is called once per ID,
 * so a backend may cache anything it derives from an ID for as long as it likes.
 */
export interface UserWorkerBackend {
  readonly kind: BackendKind
  /** Stores or uploads the bundle under a fresh Worker ID. Throws PlatformError on refusal. */
  deploy(workerId: string, bundle: WorkerBundle | null, info: DeployInfo): Promise<void>
  /** Returns a fetcher for a deployed Worker ID (lazy: nothing is loaded until `fetch`). */
  fetcher(workerId: string, options: FetcherOptions): UserWorkerFetcher
  /** Deletes a Worker ID's code; deleting an unknown ID is not an error. */
  remove(workerId: string): Promise<void>
  /** The code deployed under a Worker ID, or null when it is gone (to prefill "upload a new version"). */
  code(workerId: string): Promise<WorkerBundle | null>
  /** dispatch-namespace: the namespace's `trusted_workers` flag as Cloudflare has it (never throws). */
  namespaceTrust?(): Promise<NamespaceTrust>
}

export interface FetcherOptions {
  /** The worker's name (a deployment always belongs to one name). */
  name: string
  settings: WorkerSettings
  /**
   * The deployment's secret values, for backends that bind them at load time. A backend that keeps
   * the sealed secrets beside the code passes them (null: none); without them (undefined) the
   * platform reads them from the name's Durable Object.
   */
  secrets: (stored?: SealedSecrets | null) => Promise<Record<string, string>>
  /** Where the invocation's logs go, for backends that attach the tail at load time. */
  tail?: () => Fetcher
  /** With `tail`: a live tail is open, so the tail sends every invocation (an isolate of its own). */
  liveTail?: true
  /** With `tail`: it counts CPU time, `only` (no logs kept) or `also`: each an isolate of its own. */
  cpu?: 'only' | 'also'
  /** The request's hop count and the platform's own hosts, which the egress rules depend on. */
  context: DispatchContext
  /** The platform's egress gate, for backends that route user Workers' fetch() and connect() themselves. */
  egressGate?: (policy: EgressPolicy) => Fetcher
  /** The runtime the deployment was built for. */
  compatibility: Compatibility
  /**
   * Whether the deployment has static assets (or is a static site), so that backends serving them
   * look for a manifest only then: dispatch to a Worker without assets reads nothing extra.
   */
  assets?: boolean
  /** The worker's storage bindings (env.KV, env.DB) when its settings ask for them, for backends that bind at load time. */
  storageBindings?: () => StorageBindings
}

/** env.KV is an entrypoint of the platform's; env.DB the worker's own database object (see storage/). */
export type StorageBindings = Record<string, Fetcher | DurableObjectStub<TenantDatabase>>

/** Facts about a deployment a backend may record next to the code (e.g. as script tags). */
export interface DeployInfo {
  name: string
  ownerId: string
  settings: WorkerSettings
  /** Secret values, for backends that hold them (dispatch-namespace uploads them as secret_text). */
  secrets: Record<string, string>
  /** The same values as the name's Durable Object keeps them (null: none), for backends that store them beside the code. */
  sealedSecrets?: SealedSecrets | null
  /** The runtime the deployment is built for: the project's, else the platform's default. */
  compatibility: Compatibility
  /**
   * Static assets served before the Worker is called. With `bundle` null (a static site) there is
   * no Worker: what matches no asset follows `config.not_found_handling`.
   */
  assets?: DeploymentAssets
  /**
   * A settings change (a secret, a cron) of a worker with static assets: the earlier deployment
   * whose assets this one serves unchanged. Backends that cannot copy them refuse it.
   */
  assetsFrom?: string
}
