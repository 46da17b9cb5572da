import { AuditReader } from '../audit/audit-reader'
import type { AuditTrail } from '../audit/audit-trail.do'
import type { Account } from '../accounts/account.do'
import { Accounts } from '../accounts/accounts'
import type { UserWorkerBackend } from '../backends/backend'
import type { Config } from '../core/config'
import type { Deployment, WorkerSettings } from '../core/model'
import { Scheduler } from '../cron/scheduler'
import { Deployer, type ProjectBuilder } from '../deploy/deployer'
import { Dispatcher } from '../dispatch/dispatcher'
import type { NamespaceTrust } from '../dispatch/isolation'
import { WorkerWiring, type Entrypoints } from '../dispatch/wiring'
import { LogAccess } from '../logs/log-access'
import { MetricsReader } from '../metrics/metrics-reader'
import type { Metrics } from '../metrics/metrics-recorder'
import { NameChanges } from '../names/changes'
import type { NameClaim } from '../names/name-claim.do'
import type { Registry } from '../names/registry'
import { Workers } from '../names/workers'
import { WorkerSessions } from '../names/worker-sessions'
import { TenantData } from '../storage/tenant-data'
import { Objects } from '../objects/objects'
import { AssetUploads } from '../client-api/asset-uploads'
import type { TenantStorage } from '../storage/store'
import type { CustomDomain } from '../domains/custom-domain.do'
import { Domains } from '../domains/domains'
import { Suspensions } from '../operators/suspensions'
import { TagDeletes } from '../operators/tagged-deletes'
import { AdminSessions } from '../operators/admin-sessions'
import { Directory } from '../operators/directory'
import { AccountIndex } from '../accounts/account-index'
import { UsageExport, type UsageReader } from '../metrics/usage'
import { Rollouts } from '../deploy/rollout-changes'
import { RolloutMetrics } from '../metrics/rollout-metrics'
import { Allowances, type LeaseStore } from '../budgets/allowances'
import { BudgetChanges } from '../budgets/budget-changes'
import { AccountBudgets } from '../budgets/account-budgets'
import { AccountAllowances } from '../budgets/account-allowances'

/** What the platform is built from: this isolate's bindings and the validated configuration. */
export interface PlatformParts {
  config: Config
  backend: UserWorkerBackend
  registry: Registry
  claims: DurableObjectNamespace<NameClaim>
  /** One object per tenant account (its API tokens, its workers). */
  accounts: DurableObjectNamespace<Account>
  /** Checks uploads before they are deployed; absent, the backend's own check is all. */
  loader: WorkerLoader | undefined
  entrypoints: Entrypoints
  /** Builds projects; absent, only ready-made Workers can be deployed. */
  builder: ProjectBuilder | undefined
  /** Tenants' storage: usage, export, and deletion with the worker. */
  storage: TenantStorage
  /** Per-worker metrics; undefined when they are off (METRICS=off). */
  metrics: Metrics | undefined
  /** The same, by deployment during a rollout (metrics/rollout-metrics.ts); absent: none. */
  deploymentMetrics?: Metrics | undefined
  /** Where wrangler's assets uploads are staged until the script upload names them (client-api/). */
  staging: KVNamespace
  /** One object per custom hostname (domains/). */
  domainObjects: DurableObjectNamespace<CustomDomain>
  /** Where daily budgets are leased from and usage by day is read: the names' WorkerMetrics objects (budgets/). */
  leases: LeaseStore & UsageReader
  /** The platform-wide audit trail (audit/). */
  trail: DurableObjectNamespace<AuditTrail>
  /** Where the admin page lists accounts from (accounts/account-index.ts). */
  accountIndex: KVNamespace
  now?: () => number
}

/**
 * The platform's use cases, one object per feature, built once per isolate (see platformFor). Routes
 * take the one they need: `platform.deploys.upload(…)`, `platform.dispatch.open(…)`.
 */
export class Platform {
  readonly config: Config
  readonly accounts: Accounts
  readonly workers: Workers
  /** Console sessions opened with a worker's deploy token (an API token's are `accounts`'). */
  readonly workerSessions: WorkerSessions
  readonly deploys: Deployer
  readonly dispatch: Dispatcher
  readonly cron: Scheduler
  readonly logs: LogAccess
  readonly data: TenantData
  readonly metrics: MetricsReader
  /** Tenants' Durable Objects (objects/). */
  readonly objects: Objects
  /** wrangler's assets uploads, staged (client-api/asset-uploads.ts). */
  readonly assetUploads: AssetUploads
  /** Tenants' own hostnames (domains/). */
  readonly domains: Domains
  /** The operator's suspensions of workers and accounts, and deletes by tag (operators/). */
  readonly suspensions: Suspensions
  readonly tagDeletes: TagDeletes
  /** The admin page: its sessions and what it lists (operators/). */
  readonly adminSessions: AdminSessions
  readonly directory: Directory
  /** Usage a bill can be made from (metrics/usage.ts). */
  readonly usage: UsageExport
  /** Gradual rollouts (deploy/rollouts.ts), and each side's metrics (metrics/rollout-metrics.ts). */
  readonly rollouts: Rollouts
  readonly rolloutMetrics: RolloutMetrics
  /** An admin's budgets per worker (budgets/). */
  readonly budgets: BudgetChanges
  /** An admin's daily request budget per account (budgets/account-budgets.ts). */
  readonly accountBudgets: AccountBudgets
  /** Who changed what, when and from where (audit/). */
  readonly audit: AuditReader
  private readonly wiring: WorkerWiring
  private readonly backend: UserWorkerBackend

  constructor(parts: PlatformParts) {
    const { config, backend, registry, claims, storage } = parts
    const now = parts.now ?? Date.now
    const index = new AccountIndex(parts.accountIndex)
    const accounts = new Accounts({ accounts: parts.accounts, index, now })
    const changes = new NameChanges({ config, claims, registry, backend, accounts })
    const wiring = new WorkerWiring({ config, backend, entrypoints: parts.entrypoints, storage })
    this.config = config
    this.accounts = accounts
    this.backend = backend
    this.wiring = wiring
    this.metrics = new MetricsReader({ metrics: parts.metrics, now })
    const domainObjects = { CUSTOM_DOMAINS: parts.domainObjects }
    this.workers = new Workers({
      changes,
      registry,
      backend,
      wiring,
      storage,
      metrics: this.metrics,
      accounts,
      domainObjects,
    })
    this.domains = new Domains({ config, changes, objects: parts.domainObjects })
    this.suspensions = new Suspensions({ changes, accounts, now })
    this.tagDeletes = new TagDeletes({ workers: this.workers, suspensions: this.suspensions })
    this.adminSessions = new AdminSessions({ config, now })
    this.directory = new Directory({
      workers: this.workers,
      accounts,
      index,
      metrics: parts.metrics,
      suspensions: this.suspensions,
      config,
      now,
    })
    this.rollouts = new Rollouts({ changes, now })
    this.rolloutMetrics = new RolloutMetrics({ metrics: parts.deploymentMetrics, now })
    this.budgets = new BudgetChanges({ changes, suspensions: this.suspensions })
    this.accountBudgets = new AccountBudgets({ accounts, suspensions: this.suspensions })
    this.audit = new AuditReader({ changes, suspensions: this.suspensions, trail: parts.trail })
    this.usage = new UsageExport({
      metrics: parts.metrics,
      usage: parts.leases,
      workers: this.workers,
      accounts,
      suspensions: this.suspensions,
      now,
    })
    this.workerSessions = new WorkerSessions({ changes, now })
    this.objects = new Objects(claims)
    this.assetUploads = new AssetUploads(parts.staging, config.buildLimits, now)
    const accountSuspension = (accountId: string) => accounts.suspension(accountId)
    this.deploys = new Deployer({ ...parts, changes, wiring, objects: this.objects, accountSuspension, now })
    const allowances = new Allowances(parts.leases, now)
    const accountAllowances = new AccountAllowances(parts.accounts, now)
    const { metrics } = parts
    const rolloutMetrics = this.rolloutMetrics
    this.dispatch = new Dispatcher({
      config,
      registry,
      claims,
      wiring,
      metrics,
      rolloutMetrics,
      allowances,
      accountAllowances,
      now,
    })
    this.cron = new Scheduler({ config, changes, wiring, now })
    this.logs = new LogAccess({ changes, now })
    this.data = new TenantData({ changes, storage, objects: this.objects })
  }

  /** The settings a deployment runs with; records from before settings existed get the defaults. */
  settingsOf(deployment: Deployment | undefined): WorkerSettings {
    return this.wiring.settingsOf(deployment)
  }

  /** dispatch-namespace: what the namespace says about trust (cached; never throws); undefined elsewhere. */
  namespaceTrust(): Promise<NamespaceTrust | undefined> {
    return this.backend.namespaceTrust?.() ?? Promise.resolve(undefined)
  }
}
