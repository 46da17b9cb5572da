// The platform's model: what a user Worker is, as types only. Every other module of the core and
// every route speaks in these terms.

export type BackendKind = 'dynamic-workers' | 'dispatch-namespace'

// ── Code ────────────────────────────────────────────────────────────────────────────────────────

/**
 * Kinds of module a user Worker may consist of. `service-worker` is a main script in the
 * `addEventListener("fetch", …)` syntax; wasm content is base64 so bundles stay JSON.
 */
export type ModuleType = 'esm' | 'service-worker' | 'text' | 'json' | 'wasm'

export interface BundleModule {
  name: string
  type: ModuleType
  content: string
}

/** What the platform deploys: the code of one user Worker, independent of the backend. */
export interface WorkerBundle {
  mainModule: string
  modules: BundleModule[]
}

/** One static file to serve. `path` starts with "/" ("/index.html", "/assets/app.js"). */
export interface StaticAsset {
  path: string
  content: Uint8Array
  contentType: string
  size: number
}

/** Caps on one build. The builder checks every one and names the one a project exceeds. */
export interface BuildLimits {
  /** Sum of all file sizes (after unzipping), in bytes. */
  maxTotalBytes: number
  /** Number of files (after unzipping). */
  maxFiles: number
  /** Size of any one file, in bytes. */
  maxFileBytes: number
  /** npm packages installed, counting transitive ones. */
  maxDependencies: number
  /** Wall time of the whole build (install + bundle), in milliseconds. */
  maxBuildMs: number
  /** Decompressed bytes of one npm package's tarball. */
  maxPackageBytes: number
  /** Decompressed bytes of all npm package tarballs of one build together. */
  maxInstallBytes: number
  /** Bytes of one npm registry metadata document (packument). */
  maxPackumentBytes: number
}

/** How a deployment's assets are served: wrangler's `assets` options, with the same meaning. */
export interface AssetConfig {
  html_handling?: 'auto-trailing-slash' | 'force-trailing-slash' | 'drop-trailing-slash' | 'none'
  not_found_handling?: 'single-page-application' | '404-page' | 'none'
  /** Paths (or all, with true) that go to the Worker before any asset is looked up. */
  run_worker_first?: boolean | string[]
  /** The project's `_redirects` and `_headers` files, as text (assets/rules.ts applies them). */
  _redirects?: string
  _headers?: string
}

/** A deployment's static assets, served before its Worker is called (immutable, like its code). */
export interface DeploymentAssets {
  files: StaticAsset[]
  config: AssetConfig
}

/** The runtime a deployment was built for; it keeps it for as long as it exists. */
export interface Compatibility {
  date: string
  flags: string[]
}

/** A file as uploaded, before it becomes a module. */
export interface UploadedFile {
  name: string
  /** Text, or for binary files (.wasm) the raw bytes. */
  content: string | Uint8Array
}

// ── Settings ────────────────────────────────────────────────────────────────────────────────────

/** Who a user Worker may reach with fetch(). */
export interface EgressPolicy {
  mode: EgressMode
  /** Host names allowed in `allow-list` mode; `*.example.com` also matches subdomains. */
  hosts: string[]
  /** Raw TCP through `connect()` (to the same hosts fetch() may reach); off unless true. */
  sockets?: boolean
}

export type EgressMode = 'allow-all' | 'block-all' | 'allow-list'

export interface Limits {
  cpuMs: number
  subRequests: number
}

/** What a worker gets when it asks for nothing, and the most it may ask for. */
export interface LimitPolicy {
  defaults: Limits
  maxima: Limits
}

/**
 * Which storage bindings a deployment's code gets (storage/): `env.KV` and `env.DB`, and the KV
 * namespaces and D1 databases a project declares under its own names. The data belongs to the
 * name, so turning one off (or a binding leaving the config) hides it from the code without
 * deleting it.
 */
export interface StorageSettings {
  kv: boolean
  sql: boolean
  /** Further KV namespaces, by the binding names a project's wrangler config gives them. */
  kvNamespaces?: NamedStore[]
  /** Further D1 databases, likewise. */
  d1Databases?: NamedStore[]
  /** Durable Object namespaces of the worker's own classes (objects/), by binding name. */
  durableObjects?: ObjectBinding[]
}

/**
 * A Durable Object binding: its name in `env`, the class the deployment exports, and the namespace
 * its objects live in — the class's first name, kept through `renamed_classes` so a rename keeps
 * the data (objects/namespaces.ts).
 */
export interface ObjectBinding {
  binding: string
  className: string
  namespace: string
}

/** A store a project declares: its name in `env`, and which of the worker's stores it is (storage/refs.ts). */
export interface NamedStore {
  binding: string
  store: string
}

/** How one deployment runs. Part of the deployment, so a rollback restores it too. */
export interface WorkerSettings {
  vars: Record<string, string>
  /**
   * Vars whose values are JSON (objects, numbers, …), from a project's wrangler config, each as its
   * JSON text (the Worker gets the value); absent: none.
   */
  jsonVars?: Record<string, string>
  /** Names only: values are write-only and kept apart (see names/secrets.ts). */
  secretNames: string[]
  egress: EgressPolicy
  limits: Limits
  /** Cron expressions (UTC) the platform runs `scheduled()` at; absent: none. */
  crons?: string[]
  /** Absent: no storage bindings (deployments from before storage, and workers that never asked). */
  storage?: StorageSettings
  /** The name in `env` of the deployment's assets binding (a project's `assets.binding`); absent: none. */
  assetsBinding?: string
  /** True: anyone may read the code (the upload form prefills it). Absent: only its owner may. */
  publicCode?: true
  /** The tenant's own tags (deploy/tags.ts), to list and search by; absent: none. */
  tags?: string[]
}

/** How many cron schedules a worker may have, and how often they may run (MAX_CRONS_PER_WORKER, …). */
export interface CronPolicy {
  maxPerWorker: number
  minIntervalMinutes: number
}

/**
 * What an upload may say about settings; anything left out is kept from the current deployment.
 * For vars and secrets, a value sets one, null deletes it, and names not mentioned are kept.
 */
export interface SettingsInput {
  vars?: Record<string, string | null>
  /** A project's JSON vars (from its wrangler config), as JSON text: they replace the last deployment's. */
  jsonVars?: Record<string, string>
  /** A project's assets binding name (null: none), replacing the last deployment's. */
  assetsBinding?: string | null
  secrets?: Record<string, string | null>
  egress?: EgressPolicy
  limits?: Partial<Limits>
  /** Replaces the list; absent keeps the current deployment's, [] clears it. */
  crons?: string[]
  storage?: Partial<StorageSettings>
  /** Whether anyone may read the code; absent keeps the current deployment's (private by default). */
  publicCode?: boolean
  /** Replaces the tags; absent keeps the current deployment's, [] clears them. */
  tags?: string[]
}

// ── Deployments and the name → Worker ID mapping ────────────────────────────────────────────────

/** One immutable upload of a worker: its Worker ID names exactly this code, forever. */
export interface Deployment {
  workerId: string
  /** 1 for a name's first upload, then counting up (names reused after a delete start again). */
  sequence: number
  createdAt: string
  size: number
  sha256: string
  label: string
  /** Vars, secret names, egress and limits this deployment runs with (absent on older records). */
  settings?: WorkerSettings
  /** Absent on deployments from before per-deployment dates: the platform's default applies. */
  compatibility?: Compatibility
  /** It brought D1 or Durable Object migrations, so it cannot be rolled out gradually. */
  migrations?: true
  /** For a built project: what went into it, for the worker page and the API. */
  build?: BuildSummary
  /** Advice about the upload that did not stop it (e.g. a scheduled() export without crons). */
  hints?: string[]
  /** dynamic-workers: its code uses the Cache API, which the platform provides (cache/tenant-cache.ts). */
  caches?: true
}

/** What a build of a project produced, beyond the code (shown with the deployment). */
export interface BuildSummary {
  /** The project's files by relative path. */
  files: string[]
  /** Every npm package installed: name → exact version. */
  dependencies: Record<string, string>
  warnings: string[]
  /** Static assets: how many, and their total size in bytes. */
  assets: { count: number; bytes: number }
  /** A static site has no Worker: every request is an asset or a not-found. */
  hasWorker: boolean
}

/** A deployment that left the history; its code is deleted once no location can still use it. */
export interface RetiredDeployment {
  workerId: string
  retiredAt: string
}

/** What a friendly name stands for: which immutable Worker ID serves it, and its history. */
export interface WorkerRecord {
  name: string
  workerId: string
  /** Opaque ID of the owner (the holder of the name's deploy token). */
  ownerId: string
  backend: BackendKind
  createdAt: string
  /** When the mapping last changed (a deploy or a rollback). */
  updatedAt: string
  /** The retained history, newest first; `workerId` is one of them (not always the newest). */
  deployments: Deployment[]
  /** Deployments beyond the history, kept until no location can still be dispatching to them. */
  retired: RetiredDeployment[]
  /** Logs are captured until then: someone is watching (see LogAccess.read). */
  logsUntil?: string
  /**
   * A live tail (`wrangler tail`) is open until then: every invocation is sent to the name's object,
   * not only those with output (see LogAccess.openTail).
   */
  tailsUntil?: string
  /**
   * The ID of every store a deployment has declared (storage/refs.ts), so deleting the worker deletes
   * them all: a binding that left the config keeps its data until then. Absent: none.
   */
  stores?: string[]
  /** Stopped by the platform's operator (operators/suspensions.ts): absent while it runs. */
  suspended?: Suspension
  /** A gradual rollout (deploy/rollouts.ts): `percent` of visitors get `candidate`, the rest `workerId`. */
  rollout?: Rollout
  /** The worker's own daily budget, set by an admin (budgets/); absent: the platform's default. */
  budget?: Budget
  /**
   * The account that owns the name, copied from its owner at each commit so dispatch knows whose
   * account budget a request spends without another read (budgets/account-allowances.ts).
   */
  accountId?: string
}

/** What a worker may use per UTC day (0: no limit); an absent field is the platform's default. */
export interface Budget {
  requestsPerDay?: number
  /** CPU ms its invocations may use (known after the fact, from its tail: budgets/allowances.ts). */
  cpuMsPerDay?: number
}

/** A candidate served to a share of visitors, by a key the platform derives for each. */
export interface Rollout {
  candidate: string
  percent: number
  startedAt: string
}

/** Why and since when a worker is suspended; `account` when its whole account is. */
export interface Suspension {
  at: string
  reason: string
  scope: 'worker' | 'account'
}

/** A worker as the list shows it (one KV `list` call renders a page). */
export interface WorkerSummary {
  name: string
  workerId: string
  updatedAt: string
  /** The serving deployment's tags, so the list can be filtered by one (absent: none, or written before tags). */
  tags?: string[]
}

/** One page of the worker list. */
export interface WorkerList {
  workers: WorkerSummary[]
  /** Pass back to `list` for the next page; absent on the last page. */
  cursor?: string
}

// ── Logs ────────────────────────────────────────────────────────────────────────────────────────

/** One line of a worker's recent output. */
export interface LogLine {
  at: string
  level: string
  message: string
  /** The Worker ID of the deployment that wrote it (absent on lines kept from before it was recorded). */
  deployment?: string
}

/** A line as stored: its ID (increasing) orders the lines and lets a follower resume after one. */
export interface StoredLogLine extends LogLine {
  id: number
}

// ── Scheduled runs ──────────────────────────────────────────────────────────────────────────────

/** How a scheduled run ended: `exception` is the worker's own, `exceeded` a limit, `error` the platform's. */
export type CronOutcome = 'ok' | 'exception' | 'exceeded' | 'missing' | 'error'

/** One run of a worker's `scheduled()` (error details go to the worker's logs, not here). */
export interface CronRun {
  /** The time it was scheduled for (for "Run now", when it was asked for). */
  at: string
  cron: string
  trigger: 'schedule' | 'manual'
  outcome: CronOutcome
  durationMs: number
}
