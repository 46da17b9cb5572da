// The settings table of docs/configuration.md, next to the code it describes. `npm run docs:config`
// (scripts/config-docs.mjs) writes renderConfigTable() into the page between the markers below, and
// `npm run docs:config -- --check` (CI) fails when the page differs. Defaults that are values in the
// code are rendered from them. Nothing in the Worker imports this module, so its bundle does not grow.
import { type ConfigVarName, DEFAULTS } from './config'
import { DEFAULT_RESERVED_NAMES } from './names'
import { DOMAIN_DEFAULTS } from './domain-config'

/**
 * One setting's documentation: its default as the table shows it, and either what it does (a row
 * of its own) or the setting whose row it shares (its default joins that row's, after a ` / `).
 */
export type ConfigDoc = { default: string; doc: string } | { default: string; sameRowAs: ConfigVarName }

const MIB = 1024 * 1024

/** A value as code: `500`. */
const code = (value: string | number | boolean) => `\`${value}\``

/** A whole number of MiB: "10 MiB". */
function mib(bytes: number): string {
  if (bytes % MIB !== 0) throw new Error(`${bytes} B is not a whole number of MiB`)
  return `${bytes / MIB} MiB`
}

const build = DEFAULTS.buildLimits
const quotas = DEFAULTS.storageQuotas
const { defaults: userLimits, maxima: userMaxima } = DEFAULTS.limits

/**
 * Every setting of CONFIG_VARS (a new one without documentation is a type error), in the table's
 * order: a setting that shares a row must come after the one whose row it names.
 */
export const CONFIG_DOCS: Record<ConfigVarName, ConfigDoc> = {
  USER_WORKERS_BACKEND: {
    default: 'automatic',
    doc: '`dynamic-workers` or `dispatch-namespace`; overrides the automatic choice.',
  },
  CLOUDFLARE_API_TOKEN: {
    default: '—',
    doc: 'Secret. API token (Workers Scripts · Edit). With the account ID, selects dispatch-namespace. Never shown in any response or log.',
  },
  CLOUDFLARE_ACCOUNT_ID: { default: '—', doc: 'Secret (or var). The account that owns the dispatch namespace.' },
  CLOUDFLARE_API_BASE_URL: {
    default: code(DEFAULTS.apiBaseUrl),
    doc: 'Where API calls go: a proxy, or a test server.',
  },
  DISPATCH_NAMESPACE: {
    default: code(DEFAULTS.dispatchNamespace),
    doc: "Namespace the API uploads to (keep equal to the `dispatcher` binding's `namespace`).",
  },
  MAX_SCRIPT_BYTES: {
    default: `${code(DEFAULTS.maxScriptBytes)} (${mib(DEFAULTS.maxScriptBytes)})`,
    doc: 'Largest accepted script; larger uploads get 413.',
  },
  NPM_REGISTRY_URL: {
    default: code(DEFAULTS.npmRegistryUrl),
    doc: "Where the builder installs projects' npm dependencies from (any npm-compatible registry).",
  },
  MAX_PROJECT_BYTES: {
    default: mib(build.maxTotalBytes),
    doc: 'Caps on one project upload (all files after unzipping, file count, one file); over → 413 naming the cap.',
  },
  MAX_PROJECT_FILES: { default: code(build.maxFiles), sameRowAs: 'MAX_PROJECT_BYTES' },
  MAX_FILE_BYTES: { default: mib(build.maxFileBytes), sameRowAs: 'MAX_PROJECT_BYTES' },
  MAX_DEPENDENCIES: {
    default: code(build.maxDependencies),
    doc: 'Most npm packages one build may install (transitive included), and its longest build; over → 413 naming the cap.',
  },
  MAX_BUILD_SECONDS: { default: code(build.maxBuildMs / 1000), sameRowAs: 'MAX_DEPENDENCIES' },
  MAX_PACKAGE_BYTES: {
    default: mib(build.maxPackageBytes),
    doc: "Caps on what one build installs: one npm package unpacked, all its packages unpacked together, one package's registry metadata; counted while streaming, over → 413 naming the cap.",
  },
  MAX_INSTALL_BYTES: { default: mib(build.maxInstallBytes), sameRowAs: 'MAX_PACKAGE_BYTES' },
  MAX_PACKUMENT_BYTES: { default: mib(build.maxPackumentBytes), sameRowAs: 'MAX_PACKAGE_BYTES' },
  USER_WORKERS_COMPATIBILITY_DATE: {
    default: code(DEFAULTS.userCompatibilityDate),
    doc: 'Compatibility date given to user Workers.',
  },
  ADMIN_TOKEN: {
    default: '— (admin off)',
    doc: "Secret, ≥ 32 characters. Works as the deploy token of every worker. Unset: nobody but a name's owner can change it.",
  },
  USER_WORKERS_DOMAIN: {
    default: '—',
    doc: 'Host routing: `<name>.<domain>` serves that worker on its own origin (recommended in production; `localhost` works in dev).',
  },
  RESERVED_NAMES: {
    default: `${DEFAULT_RESERVED_NAMES.slice(0, 4).map(code).join(', ')}, …`,
    doc: "Worker names no deploy may use (comma-separated; replaces the default list in `src/core/names.ts`, a lone `,` reserves none), so host routing never gives a tenant the platform's own subdomains. A worker created before its name became reserved can still be deleted, not updated.",
  },
  USER_WORKERS_TRUSTED: {
    default: code(false),
    doc: "`true` passes the visitor's `request.cf` to user Workers, like a *trusted* namespace, and on dynamic-workers shares the Cache API between them; `false` (untrusted) passes none, and gives each worker its own cache. On dispatch-namespace, also set the namespace's `trusted_workers` (the home page says when they disagree). See [`request.cf` and the Cache API](projects.md#requestcf-and-the-cache-api).",
  },
  USER_WORKERS_SANDBOX: {
    default: code('on'),
    doc: 'CSP sandbox sent with user responses on the shared origin: `on`, `off`, or your own `sandbox allow-…` list (never `allow-same-origin`).',
  },
  MAPPING_CACHE_SECONDS: {
    default: code(DEFAULTS.mappingCacheSeconds),
    doc: "How long an isolate trusts the name → Worker ID mapping (and preview IDs, and the list's first page) it read from KV. Each busy worker costs one KV read per period per isolate; a change made in another isolate shows up within it (plus KV's propagation). `0` reads KV on every request. See [bench/RESULTS.md](../bench/RESULTS.md).",
  },
  LOG_CAPTURE_AFTER_DEPLOY_MINUTES: {
    default: code(DEFAULTS.logCaptureAfterDeployMinutes),
    doc: "How long a worker's logs are captured after each deploy, rollback or promote, so its owner sees the first requests without asking. `0` captures only while someone reads or follows the logs (or runs `wrangler tail`): an attached tail costs every request, see [Logs](logs.md) and [bench/RESULTS.md](../bench/RESULTS.md).",
  },
  DEPLOYMENT_GRACE_SECONDS: {
    default: code(DEFAULTS.deploymentGraceSeconds),
    doc: "How long code that left a worker's history is kept before deletion (≥ 60 + `MAPPING_CACHE_SECONDS`).",
  },
  SECRETS_KEY: {
    default: '—',
    doc: "Secret, ≥ 32 characters. Encrypts user Workers' secrets at rest. Set it in production.",
  },
  USER_CPU_MS: {
    default: code(userLimits.cpuMs),
    doc: 'Default and maximum CPU time per request for user Workers.',
  },
  USER_CPU_MS_MAX: { default: code(userMaxima.cpuMs), sameRowAs: 'USER_CPU_MS' },
  USER_SUBREQUESTS: { default: code(userLimits.subRequests), doc: 'Default and maximum subrequests per request.' },
  USER_SUBREQUESTS_MAX: { default: code(userMaxima.subRequests), sameRowAs: 'USER_SUBREQUESTS' },
  MAX_HOPS: {
    default: code(DEFAULTS.maxHops),
    doc: 'How many times one request may pass through the platform (a worker fetching workers, or itself) before it is refused with 508.',
  },
  MAX_CRONS_PER_WORKER: {
    default: code(DEFAULTS.cron.maxPerWorker),
    doc: 'Most cron schedules one worker may have (more → 400). See [Cron](cron.md).',
  },
  MIN_CRON_INTERVAL_MINUTES: {
    default: code(DEFAULTS.cron.minIntervalMinutes),
    doc: "Shortest interval between a worker's scheduled runs; an expression that runs more often → 400.",
  },
  METRICS: {
    default: code('local'),
    doc: 'Per-worker metrics ([Metrics](metrics.md#metrics)): `local` (the `WorkerMetrics` Durable Object, offline too), `analytics-engine` (Workers Analytics Engine: the `METRICS_DATASET` binding, read back through the SQL API with `CLOUDFLARE_ACCOUNT_ID` and `CLOUDFLARE_API_TOKEN`, which then needs Account Analytics · Read too) or `off` (nothing recorded, no chart).',
  },
  CLOUDFLARE_ZONE_ID: {
    default: '—',
    doc: "Custom domains ([Custom domains](custom-domains.md)): the SaaS zone whose Custom Hostnames API holds tenants' hostnames, on either backend. Unset: only development hostnames under `.test`, verified at once.",
  },
  CLOUDFLARE_ZONE_API_TOKEN: {
    default: '`CLOUDFLARE_API_TOKEN`',
    doc: 'Secret. A token for the zone with SSL and Certificates · Edit (its custom hostnames).',
  },
  CUSTOM_DOMAIN_TARGET: {
    default: '—',
    doc: "With a zone: the hostname tenants point a CNAME at (the zone's fallback origin, e.g. `customers.example.com`).",
  },
  PLATFORM_HOSTNAMES: {
    default: '—',
    doc: "Comma-separated hosts the platform itself is reached at (e.g. `platform.example.com,workers-for-platforms.you.workers.dev`): never a tenant's domain. Required with a zone, since every other host is then a custom hostname (an unknown one gets the 404 page).",
  },
  MAX_DOMAINS_PER_WORKER: {
    default: code(DOMAIN_DEFAULTS.maxPerWorker),
    doc: 'Most custom domains one worker may have (more → 400).',
  },
  DNS_OVER_HTTPS_URL: {
    default: code(DOMAIN_DEFAULTS.dnsOverHttpsUrl),
    doc: "Where the platform looks up a claim's ownership TXT record (DNS over HTTPS, JSON answers).",
  },
  BUDGET_REQUESTS_PER_DAY: {
    default: code(0),
    doc: 'Requests a worker may serve per UTC day unless an admin set its own budget (`0`: no limit). Over it → 429 with `Retry-After` at midnight UTC, and a page naming the budget. See [Operating the platform](operators.md#budgets).',
  },
  AUDIT_DAYS_KEPT: {
    default: code(DEFAULTS.auditDaysKept),
    doc: 'How many days the audit log keeps each entry (in the name’s object, the account’s, and the operator’s trail). See [Audit log](audit.md).',
  },
  BUDGET_CPU_MS_PER_DAY: {
    default: code(0),
    doc: "CPU milliseconds a worker's invocations may use per UTC day unless an admin set its own budget (`0`: no limit). CPU is known after the fact (from a tail's `cpuTime`): once today's reaches it, dispatch answers 429 with `Retry-After` at midnight UTC; it may go over by the CPU of about 40 s of the worker's traffic. A worker with a CPU budget gets a CPU-only tail on dynamic-workers. See [Operating the platform](operators.md#budgets).",
  },
  METER_CPU: {
    default: code(false),
    doc: 'dynamic-workers: `true` attaches a CPU-only tail to every worker, so the usage export has CPU ms for all (dispatch-namespace always has them: this Worker is the tail consumer). It costs dispatch throughput: see [Metrics](metrics.md#cpu-time).',
  },
  BUDGET_ACCOUNT_REQUESTS_PER_DAY: {
    default: code(0),
    doc: "Requests all the workers of one account may serve together per UTC day, unless an admin set the account's own budget (`0`: no limit); each worker's own budget applies too. Over it → 429 with `Retry-After` at midnight UTC, and a page naming the account's budget. See [Operating the platform](operators.md#budgets).",
  },
  DISPATCH_OUTBOUND_WORKER: {
    default: '—',
    doc: "dispatch-namespace: the outbound Worker wired to the `dispatcher` binding (set it in `wrangler.jsonc` next to the binding's `outbound`). Unset: egress policies cannot be enforced there, so uploads asking for `block-all` or an allow-list are refused (400) and the home page and upload form say so.",
  },
  TAIL_CONSUMER: {
    default: '— (`workers-for-platforms` in `env.dispatch-namespace`)',
    doc: 'dispatch-namespace: the Worker named as tail consumer of every upload, for logs.',
  },
  TENANT_KV_MAX_BYTES: {
    default: mib(quotas.kvMaxBytes),
    doc: 'What one worker may keep in `env.KV` and its declared KV stores together (keys, values and metadata; keys). Over → the `put` throws an Error naming the setting. See [Storage](storage.md).',
  },
  TENANT_KV_MAX_KEYS: { default: code(quotas.kvMaxKeys), sameRowAs: 'TENANT_KV_MAX_BYTES' },
  TENANT_SQL_MAX_BYTES: {
    default: mib(quotas.sqlMaxBytes),
    doc: 'What one worker may keep in `env.DB` and its declared D1 databases together; the statement that outgrows it is rolled back and throws an Error naming the setting.',
  },
  TENANT_SQL_MAX_ROWS_READ: {
    default: code(quotas.sqlMaxRowsRead),
    doc: "Rows one `env.DB` statement (a batch's together) may read; past it the statement stops, its batch is rolled back and throws `D1_ERROR: TENANT_SQL_MAX_ROWS_READ exceeded: …`. A step that returns no row until all its work is done (an aggregate over a huge recursive CTE) is refused only once it returns (nothing in workerd interrupts a step; on Cloudflare the object's CPU limit does, see `src/storage/sql-budget.ts`).",
  },
  TENANT_SQL_MAX_RESULT_BYTES: {
    default: mib(quotas.sqlMaxResultBytes),
    doc: "Bytes of results one `env.DB` statement (a batch's together) may return (text as UTF-8, blobs by length, 8 per number); past it → `D1_ERROR: TENANT_SQL_MAX_RESULT_BYTES exceeded: …`.",
  },
  TENANT_STORAGE_OPS_PER_SECOND: {
    default: code(quotas.opsPerSecond),
    doc: 'Storage calls (`env.KV`, `env.DB`) per second per worker, counted in each isolate that serves them (approximate: see Storage).',
  },
  TENANT_OBJECTS_MAX: {
    default: code(quotas.objectsMax),
    doc: "Durable Objects one worker's code may make, over its life (each keeps its storage until the worker, or its class, is deleted). The first touch of one more is refused: the stub's call throws an Error naming the setting. See [Bring your project](bring-your-project.md#durable-objects).",
  },
  PLATFORM_WORKER_NAME: {
    default: code(DEFAULTS.platformWorkerName),
    doc: "dispatch-namespace: this Worker's script name (`wrangler.jsonc` `name`), which user Workers' storage service bindings call.",
  },
}

/** The markers around the generated table in docs/configuration.md. */
export const CONFIG_TABLE_START =
  '<!-- config-table:start: generated from src/core/config-docs.ts by `npm run docs:config`; edit there, not here -->'
export const CONFIG_TABLE_END = '<!-- config-table:end -->'

/** The settings table, in Markdown: one row per setting, or per group of settings that share one. */
export function renderConfigTable(docs: Record<ConfigVarName, ConfigDoc> = CONFIG_DOCS): string {
  const rows = new Map<ConfigVarName, { names: ConfigVarName[]; defaults: string[]; doc: string }>()
  for (const [name, entry] of Object.entries(docs) as [ConfigVarName, ConfigDoc][]) {
    if ('doc' in entry) {
      rows.set(name, { names: [name], defaults: [entry.default], doc: entry.doc })
      continue
    }
    const row = rows.get(entry.sameRowAs)
    if (!row) throw new Error(`${name} shares the row of ${entry.sameRowAs}, which has no row of its own before it`)
    row.names.push(name)
    row.defaults.push(entry.default)
  }
  const lines = [...rows.values()].map(({ names, defaults, doc }) => {
    const cells = [names.map(code).join(' / '), defaults.join(' / '), doc]
    const bad = cells.find((cell) => /[|\n]/.test(cell))
    if (bad !== undefined) throw new Error(`a table cell may not hold "|" or a line break: ${bad}`)
    return `| ${cells.join(' | ')} |`
  })
  return ['| Variable | Default | What it does |', '|---|---|---|', ...lines].join('\n')
}

/**
 * The page with the table between its markers replaced by `table`. Throws when the markers are
 * missing, so the generator never appends a second table.
 */
export function withConfigTable(page: string, table: string = renderConfigTable()): string {
  const start = page.indexOf(CONFIG_TABLE_START)
  const end = page.indexOf(CONFIG_TABLE_END)
  if (start < 0 || end < start) {
    throw new Error(`the page has no "${CONFIG_TABLE_START}" … "${CONFIG_TABLE_END}" markers`)
  }
  return `${page.slice(0, start + CONFIG_TABLE_START.length)}\n\n${table}\n\n${page.slice(end)}`
}
