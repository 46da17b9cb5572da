import type { BackendKind, BuildLimits, CronPolicy, LimitPolicy } from './model'
import {
  clean,
  ConfigError,
  isPlaceholder,
  parseBoolean,
  parseChoice,
  parsePositiveInt,
  parseSecret,
  parseUrl,
  parseWholeMinutes,
  parseWholeSeconds,
} from './config-values'
import { DEFAULT_RESERVED_NAMES, isValidName } from './names'
import { parseStorageQuotas, type StorageQuotas } from './storage-quotas'
import { DEFAULTS } from './config-defaults'
import { parseDomainSettings, type DomainSettings } from './domain-config'
import { parseBudgets, type BudgetConfig } from './budget-config'

export type { StorageQuotas } from './storage-quotas'

export interface CloudflareApiSettings {
  baseUrl: string
  accountId: string
  /** Kept out of every log line, page and error: see backends/cloudflare-api.ts. */
  apiToken: string
  namespace: string
}

/** Where metrics go (setting METRICS): see docs/metrics.md. */
export const METRICS_MODES = ['local', 'analytics-engine', 'off'] as const
export type MetricsMode = (typeof METRICS_MODES)[number]

export interface Config {
  backend: BackendKind
  /** One sentence for the home page: why this backend is the active one. */
  backendReason: string
  /** Settings that still hold a `your_…` placeholder (a copied .env.test): they count as unset. */
  placeholders: ConfigVarName[]
  /** Present when credentials are configured (required by the dispatch-namespace backend). */
  cloudflare: CloudflareApiSettings | undefined
  dispatchNamespace: string
  maxScriptBytes: number
  /** Where the builder installs tenants' npm dependencies from. */
  npmRegistryUrl: string
  /** Caps on one project build (upload size, files, one file, dependencies, build time). */
  buildLimits: BuildLimits
  /** Compatibility date given to every user Worker. */
  userCompatibilityDate: string
  /** Platform-wide credential that may manage every worker; admin actions are off without it. */
  adminToken: string | undefined
  /** With a domain, `<name>.<domain>` serves that worker on its own origin. */
  userWorkersDomain: string | undefined
  /** CSP sandbox sent with user responses on the shared origin; undefined when turned off. */
  sandboxPolicy: string | undefined
  /**
   * Trusted user Workers get the visitor's `request.cf` (and, in a namespace set `trusted_workers`, a
   * shared cache); untrusted ones (the default) get neither, as Cloudflare's untrusted namespaces.
   */
  userWorkersTrusted: boolean
  /** Names no deploy may use (www, api, …): the platform's own, also under host routing. */
  reservedNames: ReadonlySet<string>
  /**
   * How long an isolate trusts what it read of the registry (a name's mapping, a preview ID, the
   * first page of the list) before reading KV again: each busy name costs one KV read per period
   * and isolate, and a change made in another isolate shows up at the latest after it.
   */
  mappingCacheMs: number
  /**
   * How long replaced code is kept: longer than KV's ~60 s propagation plus the mapping cache, so no
   * location hits deleted code.
   */
  deploymentGraceMs: number
  /**
   * How long logs are captured after a deploy, rollback or promote (0: only while someone reads
   * them): an attached tail costs every request of the worker.
   */
  logCaptureAfterChangeMs: number
  /** dispatch-namespace: the Worker set as tail consumer of every upload (to collect logs). */
  tailConsumer: string | undefined
  /**
   * dispatch-namespace: the outbound Worker wired to the `dispatcher` binding, if the operator says so.
   * Without it nothing in a namespace enforces egress policies, so only allow-all is accepted.
   */
  outboundWorker: string | undefined
  /** False on dispatch-namespace without the outbound Worker: egress policies cannot be enforced. */
  egressEnforced: boolean
  /** Encrypts user Workers' secrets at rest (in the name's Durable Object) when set. */
  secretsKey: string | undefined
  /** Per-worker CPU and subrequest limits: what a worker gets by default, and the most it may ask for. */
  limits: LimitPolicy
  /** How often one request may pass through the platform (worker → worker fetches) before 508. */
  maxHops: number
  /** How many cron schedules a worker may have, and the shortest interval between runs. */
  cron: CronPolicy
  /** What one worker may keep in env.KV and env.DB (storage/quotas.ts). */
  storageQuotas: StorageQuotas
  /** dispatch-namespace: this Worker's script name, which user Workers' storage bindings point at. */
  platformWorkerName: string
  /** Where per-worker metrics go: the WorkerMetrics Durable Object, Workers Analytics Engine, or nowhere. */
  metrics: MetricsMode
  /** Tenants' own hostnames (domains/). */
  domains: DomainSettings
  /** What a worker may use in a day unless an admin set its own (budgets/); 0: no limit. */
  budgets: BudgetConfig
  /** How long audit entries are kept, in days (audit/). */
  auditDaysKept: number
}

export { ConfigError } from './config-values'

export { DEFAULTS } from './config-defaults'

const BACKENDS: readonly BackendKind[] = ['dynamic-workers', 'dispatch-namespace']

/** The variables and secrets configuration is read from (wrangler vars, secrets, or .dev.vars locally). */
export const CONFIG_VARS = [
  'USER_WORKERS_BACKEND',
  'CLOUDFLARE_API_TOKEN',
  'CLOUDFLARE_ACCOUNT_ID',
  'CLOUDFLARE_API_BASE_URL',
  'DISPATCH_NAMESPACE',
  'MAX_SCRIPT_BYTES',
  'NPM_REGISTRY_URL',
  'MAX_PROJECT_BYTES',
  'MAX_PROJECT_FILES',
  'MAX_FILE_BYTES',
  'MAX_DEPENDENCIES',
  'MAX_BUILD_SECONDS',
  'MAX_PACKAGE_BYTES',
  'MAX_INSTALL_BYTES',
  'MAX_PACKUMENT_BYTES',
  'USER_WORKERS_COMPATIBILITY_DATE',
  'ADMIN_TOKEN',
  'USER_WORKERS_DOMAIN',
  'USER_WORKERS_SANDBOX',
  'MAPPING_CACHE_SECONDS',
  'LOG_CAPTURE_AFTER_DEPLOY_MINUTES',
  'DEPLOYMENT_GRACE_SECONDS',
  'TAIL_CONSUMER',
  'DISPATCH_OUTBOUND_WORKER',
  'RESERVED_NAMES',
  'USER_WORKERS_TRUSTED',
  'SECRETS_KEY',
  'USER_CPU_MS',
  'USER_CPU_MS_MAX',
  'USER_SUBREQUESTS',
  'USER_SUBREQUESTS_MAX',
  'MAX_HOPS',
  'MAX_CRONS_PER_WORKER',
  'MIN_CRON_INTERVAL_MINUTES',
  'TENANT_KV_MAX_BYTES',
  'TENANT_KV_MAX_KEYS',
  'TENANT_SQL_MAX_BYTES',
  'TENANT_SQL_MAX_ROWS_READ',
  'TENANT_SQL_MAX_RESULT_BYTES',
  'TENANT_STORAGE_OPS_PER_SECOND',
  'TENANT_OBJECTS_MAX',
  'PLATFORM_WORKER_NAME',
  'METRICS',
  'CLOUDFLARE_ZONE_ID',
  'CLOUDFLARE_ZONE_API_TOKEN',
  'CUSTOM_DOMAIN_TARGET',
  'PLATFORM_HOSTNAMES',
  'MAX_DOMAINS_PER_WORKER',
  'DNS_OVER_HTTPS_URL',
  'BUDGET_REQUESTS_PER_DAY',
  'AUDIT_DAYS_KEPT',
  'BUDGET_CPU_MS_PER_DAY',
  'METER_CPU',
  'BUDGET_ACCOUNT_REQUESTS_PER_DAY',
] as const

export type ConfigVarName = (typeof CONFIG_VARS)[number]

/** Every setting is an optional string: unset, blank and placeholder values all mean "the default". */
export type ConfigVars = Partial<Record<(typeof CONFIG_VARS)[number], string>>

// Parsed once per env object (one per isolate, and one per Durable Object instance): the config is
// read on hot paths (storage calls, the name's alarm), and it cannot change while the object lives.
const parsed = new WeakMap<object, Config>()

/** The validated configuration of these bindings, parsed once. */
export function configFor(env: ConfigVars & object): Config {
  let config = parsed.get(env)
  if (!config) {
    config = parseConfig(env)
    parsed.set(env, config)
  }
  return config
}

export function parseConfig(env: ConfigVars): Config {
  // Vars in wrangler.jsonc may be JSON of any type: every setting is read as text.
  for (const name of CONFIG_VARS) {
    const value: unknown = env[name]
    if (value !== undefined && typeof value !== 'string') {
      throw new ConfigError(`${name} must be text (a string in wrangler.jsonc's vars); got a ${typeof value}.`)
    }
  }
  const apiToken = clean(env.CLOUDFLARE_API_TOKEN)
  const accountId = clean(env.CLOUDFLARE_ACCOUNT_ID)
  const dispatchNamespace = clean(env.DISPATCH_NAMESPACE) ?? DEFAULTS.dispatchNamespace
  const cloudflare =
    apiToken && accountId
      ? {
          apiToken,
          accountId,
          namespace: dispatchNamespace,
          baseUrl: apiBaseUrl(env),
        }
      : undefined

  const { backend, backendReason } = chooseBackend(clean(env.USER_WORKERS_BACKEND), cloudflare !== undefined)
  if (backend === 'dispatch-namespace' && !cloudflare) {
    throw new ConfigError(
      'USER_WORKERS_BACKEND is "dispatch-namespace" but CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID are not both set.',
    )
  }

  return {
    backend,
    backendReason,
    placeholders: CONFIG_VARS.filter((name) => isPlaceholder(env[name])),
    cloudflare,
    dispatchNamespace,
    maxScriptBytes: parsePositiveInt('MAX_SCRIPT_BYTES', env.MAX_SCRIPT_BYTES) ?? DEFAULTS.maxScriptBytes,
    npmRegistryUrl: parseUrl('NPM_REGISTRY_URL', clean(env.NPM_REGISTRY_URL) ?? DEFAULTS.npmRegistryUrl),
    buildLimits: parseBuildLimits(env),
    userCompatibilityDate: parseDate(clean(env.USER_WORKERS_COMPATIBILITY_DATE)) ?? DEFAULTS.userCompatibilityDate,
    adminToken: parseSecret('ADMIN_TOKEN', env.ADMIN_TOKEN),
    userWorkersDomain: parseDomain(clean(env.USER_WORKERS_DOMAIN)),
    reservedNames: parseReservedNames(clean(env.RESERVED_NAMES)),
    userWorkersTrusted: parseBoolean('USER_WORKERS_TRUSTED', clean(env.USER_WORKERS_TRUSTED)) ?? false,
    sandboxPolicy: parseSandbox(clean(env.USER_WORKERS_SANDBOX)),
    ...parseFreshness(env),
    logCaptureAfterChangeMs:
      (parseWholeMinutes('LOG_CAPTURE_AFTER_DEPLOY_MINUTES', env.LOG_CAPTURE_AFTER_DEPLOY_MINUTES) ??
        DEFAULTS.logCaptureAfterDeployMinutes) * 60_000,
    budgets: parseBudgets(env),
    auditDaysKept: parsePositiveInt('AUDIT_DAYS_KEPT', env.AUDIT_DAYS_KEPT) ?? DEFAULTS.auditDaysKept,
    tailConsumer: clean(env.TAIL_CONSUMER),
    outboundWorker: clean(env.DISPATCH_OUTBOUND_WORKER),
    egressEnforced: backend !== 'dispatch-namespace' || clean(env.DISPATCH_OUTBOUND_WORKER) !== undefined,
    secretsKey: parseSecret('SECRETS_KEY', env.SECRETS_KEY),
    limits: parseLimits(env),
    maxHops: parsePositiveInt('MAX_HOPS', env.MAX_HOPS) ?? DEFAULTS.maxHops,
    cron: {
      maxPerWorker: parsePositiveInt('MAX_CRONS_PER_WORKER', env.MAX_CRONS_PER_WORKER) ?? DEFAULTS.cron.maxPerWorker,
      minIntervalMinutes:
        parsePositiveInt('MIN_CRON_INTERVAL_MINUTES', env.MIN_CRON_INTERVAL_MINUTES) ??
        DEFAULTS.cron.minIntervalMinutes,
    },
    storageQuotas: parseStorageQuotas(env),
    platformWorkerName: clean(env.PLATFORM_WORKER_NAME) ?? DEFAULTS.platformWorkerName,
    metrics: parseMetrics(clean(env.METRICS)),
    domains: parseDomainSettings(env, apiBaseUrl(env)),
  }
}

/** Which metrics store; what analytics-engine needs besides (credentials, binding) is checked where it is built. */
function parseMetrics(value: string | undefined): MetricsMode {
  return value === undefined ? 'local' : parseChoice('METRICS', METRICS_MODES, value)
}

/** The mapping cache and the grace period, which must outlast KV's propagation plus that cache. */

function parseFreshness(env: ConfigVars): Pick<Config, 'mappingCacheMs' | 'deploymentGraceMs'> {
  const cache = parseWholeSeconds('MAPPING_CACHE_SECONDS', env.MAPPING_CACHE_SECONDS) ?? DEFAULTS.mappingCacheSeconds
  const grace =
    parsePositiveInt('DEPLOYMENT_GRACE_SECONDS', env.DEPLOYMENT_GRACE_SECONDS) ?? DEFAULTS.deploymentGraceSeconds
  if (grace < KV_PROPAGATION_SECONDS + cache) {
    throw new ConfigError(
      `DEPLOYMENT_GRACE_SECONDS must be at least ${KV_PROPAGATION_SECONDS + cache}: KV takes up to ${KV_PROPAGATION_SECONDS} s to propagate a change, and isolates trust their cached mapping for MAPPING_CACHE_SECONDS (${cache}) more.`,
    )
  }
  return { mappingCacheMs: cache * 1000, deploymentGraceMs: grace * 1000 }
}

/** Workers KV's documented worst case for a change to reach every location. */
const KV_PROPAGATION_SECONDS = 60

function parseLimits(env: ConfigVars): LimitPolicy {
  const { defaults, maxima } = DEFAULTS.limits
  const policy = {
    defaults: {
      cpuMs: parsePositiveInt('USER_CPU_MS', env.USER_CPU_MS) ?? defaults.cpuMs,
      subRequests: parsePositiveInt('USER_SUBREQUESTS', env.USER_SUBREQUESTS) ?? defaults.subRequests,
    },
    maxima: {
      cpuMs: parsePositiveInt('USER_CPU_MS_MAX', env.USER_CPU_MS_MAX) ?? maxima.cpuMs,
      subRequests: parsePositiveInt('USER_SUBREQUESTS_MAX', env.USER_SUBREQUESTS_MAX) ?? maxima.subRequests,
    },
  }
  if (policy.defaults.cpuMs > policy.maxima.cpuMs || policy.defaults.subRequests > policy.maxima.subRequests) {
    throw new ConfigError('Default user limits (USER_CPU_MS, USER_SUBREQUESTS) must not exceed their maxima (…_MAX).')
  }
  return policy
}

/** A comma-separated list of worker names that replaces the default list. */
function parseReservedNames(value: string | undefined): ReadonlySet<string> {
  if (value === undefined) return new Set(DEFAULT_RESERVED_NAMES)
  const names = value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean)
  const invalid = names.find((name) => !isValidName(name))
  if (invalid !== undefined) {
    throw new ConfigError(`RESERVED_NAMES must be a comma-separated list of worker names; "${invalid}" is not one.`)
  }
  return new Set(names)
}

function parseDomain(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const domain = value.toLowerCase().replace(/^\.+|\.+$/g, '')
  if (!/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/.test(domain)) {
    throw new ConfigError(`USER_WORKERS_DOMAIN must be a host name such as "workers.example.com"; got "${value}".`)
  }
  return domain
}

function parseSandbox(value: string | undefined): string | undefined {
  if (value === undefined || value === 'on') return DEFAULTS.sandboxPolicy
  if (value === 'off') return undefined
  if (!/^sandbox(\s+allow-[a-z-]+)*$/.test(value) || /allow-same-origin/.test(value)) {
    throw new ConfigError(
      'USER_WORKERS_SANDBOX must be "on", "off", or "sandbox" followed by allow-* flags other than allow-same-origin.',
    )
  }
  return value
}

function chooseBackend(explicit: string | undefined, hasCredentials: boolean) {
  if (explicit) {
    const backend = parseChoice('USER_WORKERS_BACKEND', BACKENDS, explicit)
    return { backend, backendReason: 'USER_WORKERS_BACKEND selects it explicitly.' }
  }
  return hasCredentials
    ? {
        backend: 'dispatch-namespace' as const,
        backendReason: 'CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID are set.',
      }
    : {
        backend: 'dynamic-workers' as const,
        backendReason: 'No Cloudflare API credentials are configured, so user Workers run on the Worker Loader.',
      }
}

function parseDate(value: string | undefined): string | undefined {
  if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new ConfigError(`USER_WORKERS_COMPATIBILITY_DATE must look like YYYY-MM-DD; got "${value}".`)
  }
  return value
}

function parseBuildLimits(env: ConfigVars): BuildLimits {
  const defaults = DEFAULTS.buildLimits
  const seconds = parsePositiveInt('MAX_BUILD_SECONDS', env.MAX_BUILD_SECONDS)
  return {
    maxTotalBytes: parsePositiveInt('MAX_PROJECT_BYTES', env.MAX_PROJECT_BYTES) ?? defaults.maxTotalBytes,
    maxFiles: parsePositiveInt('MAX_PROJECT_FILES', env.MAX_PROJECT_FILES) ?? defaults.maxFiles,
    maxFileBytes: parsePositiveInt('MAX_FILE_BYTES', env.MAX_FILE_BYTES) ?? defaults.maxFileBytes,
    maxDependencies: parsePositiveInt('MAX_DEPENDENCIES', env.MAX_DEPENDENCIES) ?? defaults.maxDependencies,
    maxBuildMs: seconds === undefined ? defaults.maxBuildMs : seconds * 1000,
    maxPackageBytes: parsePositiveInt('MAX_PACKAGE_BYTES', env.MAX_PACKAGE_BYTES) ?? defaults.maxPackageBytes,
    maxInstallBytes: parsePositiveInt('MAX_INSTALL_BYTES', env.MAX_INSTALL_BYTES) ?? defaults.maxInstallBytes,
    maxPackumentBytes: parsePositiveInt('MAX_PACKUMENT_BYTES', env.MAX_PACKUMENT_BYTES) ?? defaults.maxPackumentBytes,
  }
}

function apiBaseUrl(env: ConfigVars): string {
  return parseUrl('CLOUDFLARE_API_BASE_URL', clean(env.CLOUDFLARE_API_BASE_URL) ?? DEFAULTS.apiBaseUrl)
}
