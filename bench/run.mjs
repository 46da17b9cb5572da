// `npm run bench`: dispatch overhead vs. a bare Worker Loader baseline, behaviour at 10 and 10,000
// registered workers, 1,000 tenants round-robin, cold starts, listing, deploy latency, bundle size,
// a correctness-under-load check, (issue #11) projects through the builder — TypeScript, two npm
// dependencies cold and cached — and static-asset GETs vs an in-memory Worker, and (issue #13)
// tenants' storage, all on local workerd in one run, in about 5 minutes. Prints one table and writes
// it to bench/RESULTS.md, and the same rows as a chart to bench/results.svg (bench/chart.mjs). Each
// module measures one thing; this file only orders them and shares the servers between them.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { checkOldOrNew } from './consistency.mjs'
import { measureNewDeploys, measureUpdates } from './deploy.mjs'
import { measureAssets, measureBuilds } from './projects.mjs'
import { measureStorage } from './storage.mjs'
import { CUSTOM_HOSTNAME, measureCustomDomains } from './domains.mjs'
import { measureBudget, measureRollout } from './rollouts.mjs'

/** The storage rows' platform's ADMIN_TOKEN, for the budget row (bench/rollouts.mjs). */
const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef0123456789'
import { measureWranglerDeploys } from './wrangler-deploy.mjs'
import { METRICS_SETTINGS, METRICS_WORKER, describeMetricsCost, measureMetricsCost } from './metrics.mjs'
import { uploadOrThrow, waitForBody } from './lib/client.mjs'
import { deployColdTenants, measureCold, storedSeeds } from './cold.mjs'
import { measureDispatch } from './dispatch.mjs'
import { measureListing } from './listing.mjs'
import { baselineTenantsUrl, finishTenants, loadTenants, tenantSeed, tenantsUrl } from './tenants.mjs'
import { versions as runtime } from './lib/miniflare.mjs'
import { startRegistry } from './lib/registry.mjs'
import {
  BENCH_DIR,
  CLIENT_CORE,
  ROOT,
  SERVER_CORE,
  buildBundle,
  scratchDir,
  startServer,
  startWatchdog,
} from './lib/procs.mjs'
import { renderChart } from './chart.mjs'
import { buildRows, renderTable, writeResults } from './report.mjs'
import { seedWorkers } from './seed.mjs'
import { HELLO_BODY, HELLO_SCRIPT } from './user-script.mjs'

const SETTINGS = {
  connections: 16,
  // Dispatch (bench/dispatch.mjs): paired rounds, each target once per round; short runs, many
  // rounds, since the ratio within a round is what counts and its spread over rounds is reported.
  warmupSeconds: 1,
  loadSeconds: 1,
  // Per target and round, at 1 connection, one request to each target in turn.
  singleRequests: 400,
  rounds: 8,
  smallSize: 10,
  largeSize: 10_000,
  // Of the large platform's workers, this many are distinct tenants (bench/tenants.mjs) requested
  // round-robin; all are seeded straight into KV (bench/seed.mjs).
  tenants: 1_000,
  // Cold starts (bench/cold.mjs): this many workers per bundle size and case (after a deploy, from
  // storage), one first request each.
  coldTenants: 100,
  listingRequests: 200,
  deploys: 50,
  // Projects through the builder (bench/projects.mjs).
  typescriptUploads: 20,
  projectUploads: 7,
  assets: { connections: 16, warmupSeconds: 1, seconds: 1.5, rounds: 3 },
  // wrangler deploy of a project vs the same through the JSON API (bench/wrangler-deploy.mjs).
  wranglerDeploys: { rounds: 3 },
  // Tenants' storage (bench/storage.mjs): 1 connection, eleven targets.
  storage: { seconds: 1, rounds: 3 },
  // The pairs on the storage rows' platform (bench/pairs.mjs): a custom hostname vs <name>.localhost,
  // a worker in a 10 % rollout vs a plain one, a worker with a daily budget vs without.
  domains: { connections: 16, seconds: 2, rounds: 6, latencyCount: 400 },
}
// The whole run takes about 6 to 7 minutes (269 s on 2026-12-01; 377 s on 2026-12-07 with the
// declared-binding rows, before the wrangler rows; the three pairs of issues #24 and #25 add about
// 100 s); past 10 the harness stops its children and gives up.
const WATCHDOG_MS = 600_000

const PLATFORM_CONFIG = join(ROOT, 'wrangler.jsonc')
const BENCH_STORAGE_OPS = 1_000_000
const BUILDER_CONFIG = join(ROOT, 'builder', 'wrangler.jsonc')
const BASELINE_CONFIG = join(BENCH_DIR, 'baseline', 'wrangler.jsonc')

/** A worker seed.mjs registered: same script as "hello", but never deployed, so its logs are not captured. */
const SEEDED_WORKER = 'seed-0'

const started = performance.now()
const log = (message) =>
  console.error(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}`)

/**
 * Both platforms run as `npm run dev` does: with the builder Worker beside them (idle during the
 * dispatch runs) and the registry double as NPM_REGISTRY_URL.
 */
function platformOptions(bundles, registry, vars = {}) {
  // The storage rows call env.DB faster than a tenant's default 1,000 storage operations a second
  // on a quiet machine (the quota then refuses calls, as it should): raised for the bench only.
  return {
    builder: bundles.builder,
    vars: { NPM_REGISTRY_URL: registry.origin, TENANT_STORAGE_OPS_PER_SECOND: String(BENCH_STORAGE_OPS), ...vars },
  }
}

async function startAll(bundles, scratch, small, large, metrics, registry) {
  const platform = platformOptions(bundles, registry)
  const [baseline, platformSmall, platformLarge, metricsOn, metricsOff] = await Promise.all([
    startServer(BASELINE_CONFIG, bundles.baseline, join(scratch, 'baseline')),
    startServer(PLATFORM_CONFIG, bundles.platform, small, platform),
    startServer(PLATFORM_CONFIG, bundles.platform, large, platform),
    // The metrics cost: two fresh platforms alike in all but METRICS (the default, local, and off),
    // started and loaded alike, serving dispatch only (no builder).
    startServer(PLATFORM_CONFIG, bundles.platform, metrics.on),
    startServer(PLATFORM_CONFIG, bundles.platform, metrics.off, { vars: { METRICS: 'off' } }),
  ])
  return { baseline, small: platformSmall, large: platformLarge, metricsOn, metricsOff }
}

/** Checks the baseline serves the hello script and uploads it as "hello" to both platforms. */
async function prepare(servers) {
  const response = await fetch(servers.baseline.url)
  if ((await response.text()) !== HELLO_BODY) throw new Error('the baseline does not serve the hello script')
  for (const server of [servers.small, servers.large]) {
    await uploadOrThrow(server.url, 'hello', HELLO_SCRIPT)
    await waitForBody(server.url, 'hello', HELLO_BODY)
    await waitForBody(server.url, SEEDED_WORKER, HELLO_BODY)
  }
  for (const server of [servers.metricsOn, servers.metricsOff])
    await waitForBody(server.url, METRICS_WORKER, HELLO_BODY)
}

/**
 * The storage rows, on a platform of their own that starts no log capture at a deploy
 * (LOG_CAPTURE_AFTER_DEPLOY_MINUTES=0): their tenants are measured as any worker nobody watches,
 * like the seeded worker of the dispatch rows; what capture costs is the "log capture on" row.
 */
async function storageRows(bundles, registry, dir, baselineUrl) {
  log('storage: a platform of their own, with no log capture after deploys')
  mkdirSync(dir)
  const server = await startServer(
    PLATFORM_CONFIG,
    bundles.platform,
    dir,
    platformOptions(bundles, registry, { LOG_CAPTURE_AFTER_DEPLOY_MINUTES: '0', ADMIN_TOKEN: BENCH_ADMIN_TOKEN }),
  )
  try {
    const storage = await measureStorage(server.url, baselineUrl, SETTINGS.storage, log)
    const domains = await measureCustomDomains(server.url, server.pid, SETTINGS.domains, log)
    const rollouts = await measureRollout(server.url, server.pid, SETTINGS.domains, log)
    const budgets = await measureBudget(server.url, server.pid, SETTINGS.domains, BENCH_ADMIN_TOKEN, log)
    return { storage, domains, rollouts, budgets }
  } finally {
    await server.stop()
  }
}

/** Deploy latency on the 10-worker platform; the old-or-new check on the one serving 1,000 tenants. */
async function deploysAndCorrectness(small, large) {
  log('deploy latency (10-worker platform)')
  const created = await measureNewDeploys(small, SETTINGS.deploys)
  const updated = await measureUpdates(small, SETTINGS.deploys)
  log('old-or-new check under load (10,000-worker platform, its 1,000 tenants loaded)')
  const correctness = await checkOldOrNew(large)
  return { deploys: { created, updated }, correctness }
}

async function projects(url, registry) {
  log('projects: TypeScript and two npm dependencies through the builder')
  const builds = await measureBuilds(url, registry, SETTINGS)
  const assets = await measureAssets(url, SETTINGS.assets, log)
  return { builds, assets }
}

function versionOf(pkg) {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version
}

function environment() {
  return {
    date: new Date()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC'),
    cores: execFileSync('nproc').toString().trim(),
    cpu: cpus()[0]?.model?.trim() ?? 'unknown CPU',
    node: process.versions.node,
    wrangler: versionOf('wrangler'),
    miniflare: runtime.miniflare,
    workerd: runtime.workerd,
    autocannon: versionOf('autocannon'),
  }
}

/** The figures of every round, so the noise of this run is on record. */
function runNotes(dispatch) {
  const list = (values, digits = 0) => values.map((v) => v.toFixed(digits)).join(', ')
  return [
    ...Object.entries(dispatch.together).map(([pair, rounds]) => {
      const [a, b] = pair.split('|')
      const ratios = (pick) =>
        list(
          rounds.map((round) => pick(round[a]) / pick(round[b])),
          3,
        )
      return `Rounds, ${a} and ${b} loaded together: ${a} ÷ ${b} per CPU second ${ratios((r) => r.perCpuSecond)}; of req/s ${ratios((r) => r.requestsPerSecond)} (${a} ${list(rounds.map((round) => round[a].requestsPerSecond))} req/s).`
    }),
    ...Object.entries(dispatch.alone).map(
      ([key, runs]) =>
        `Rounds, ${key} alone: ${list(runs.map((r) => r.requestsPerSecond))} req/s (${list(runs.map((r) => r.perCpuSecond ?? NaN))} per CPU second).`,
    ),
    ...Object.entries(dispatch.single).map(
      ([key, runs]) =>
        `Rounds, ${key} at 1 connection: p50 ${list(
          runs.map((r) => r.p50),
          3,
        )} ms.`,
    ),
  ]
}

function projectNotes(assets) {
  const list = (runs) => runs.map((run) => Math.round(run.requestsPerSecond)).join(', ')
  return [
    `Projects: both platforms run with the builder Worker (builder/wrangler.jsonc, bundled the same way) in the same workerd, its BUILDER service binding wired as under \`npm run dev\`; NPM_REGISTRY_URL points at the npm registry double (test/doubles/npm-registry.js, served by the harness on 127.0.0.1) with hono and ms from node_modules. Measured on the 10-worker platform after the deploys, each upload timed like a deploy (PUT until /user-workers/<name> first answers with its body), one TypeScript upload first as a warm-up. TypeScript files differ from each other (no cache hit). Cold: a new ms patch version is published before each upload, so \`^2.1.0\` resolves anew (checked: an ms tarball is fetched); re-upload: the identical project again by its owner under the same name, with its deploy token, the second such upload timed (builds are reused per name and credential only, and the claim had no credential, so the first builds again; checked: no tarball fetched for the second, i.e. the builder's cache).`,
    `Asset GETs: a static site (public/ files, deployed through the API) against a Worker that returns the same bytes from memory, both on the same platform server: a ${SETTINGS.assets.warmupSeconds} s warm-up each, then ${SETTINGS.assets.rounds} runs of ${SETTINGS.assets.seconds} s at ${SETTINGS.assets.connections} connections each, alternating; best run kept.`,
    ...assets.map(
      ({ size, runs }) =>
        `All runs, asset GETs ${size.label}: ${list(runs.assets)} req/s assets; ${list(runs.memory)} req/s in-memory Worker.`,
    ),
  ]
}

function domainsNote() {
  const { connections, seconds, rounds, latencyCount } = SETTINGS.domains
  return `Custom domains (issue #24, bench/domains.mjs): on the storage rows' platform (no SaaS zone, so a development hostname), a worker answering a fixed text gets the custom hostname \`${CUSTOM_HOSTNAME}\` through the API; the load generator sends the same requests to 127.0.0.1 with \`Host: ${CUSTOM_HOSTNAME}\` and with \`Host: domain-bench.localhost:<port>\` (the name routing of a platform on localhost, what \`<name>.<USER_WORKERS_DOMAIN>\` is in production). ${rounds} rounds of ${seconds} s at ${connections} connections, one side after the other, the order alternating, each run with the server's CPU time (judged: the median ratio of requests per CPU second, as the dispatch rows); then ${latencyCount} requests each at 1 connection, alternating (runAlternating).`
}

function storageNotes(storage) {
  const list = (runs) => runs.map((run) => run.p50.toFixed(2)).join(', ')
  return [
    `Storage: on a platform of its own, started like the others (with the builder) but with LOG_CAPTURE_AFTER_DEPLOY_MINUTES=0, so its tenants, deployed just before, run as any worker nobody watches (no tail attached), like the seeded worker of the dispatch rows; the cost of capture is the \`log capture on\` row. A tenant with env.KV and env.DB answers /kv with \`env.KV.get("k")\` and /sql with \`env.DB.prepare("SELECT v FROM t WHERE id = ?").bind(1).first("v")\`. The judged baseline is a user Worker on the bare loader (baseline \`/loaded/kv\`, \`/loaded/sql\`) answering the same from the same kind of bindings, given as directly as the runtime allows: a KV binding cannot be passed to a loaded Worker (DataCloneError), so \`env.KV\` is an entrypoint that only forwards to the baseline's KV namespace (the platform's TenantKV also prefixes the key and counts the call), and \`env.DB\` is the SQLite Durable Object's stub itself, as the platform's is on dynamic-workers (where its D1 module turns the call into one \`query\`, and the object checks the statement, counts the call and applies the quotas). Listed beside: the baseline's own fetch calling its bindings with no loader in between (/kv, /sql), an upper bound that also counts the loader and the dispatch. Declared bindings (issue #22): a project deployed as files through the builder, its wrangler.jsonc declaring a D1 database \`APP_DB\` and a Durable Object class \`Counter\` bound as \`COUNTER\`, answers /sql with the same one-row query on \`APP_DB\` (judged against the same \`/loaded/sql\`) and /do with \`env.COUNTER.getByName("bench").read()\` (one \`ctx.storage.kv.get\` in the object), judged against the baseline's \`/loaded/do\`: a Worker on the bare loader calling a Durable Object of the baseline's that runs the same class, loaded from the loader, as a facet (the platform's path adds its binding's entrypoint, the host's index and deployment checks, and the tenant-side namespace facade); listed beside, the same bare host reached through an entrypoint that only forwards (\`/loaded/do-entry\`): the hop the platform cannot leave out, since a tenant may not hold a namespace of the platform's objects, only an entrypoint that names its own. ${SETTINGS.storage.rounds} runs of ${SETTINGS.storage.seconds} s at 1 connection per target after a 1 s warm-up, alternating; lowest p50 kept.`,
    ...Object.entries(storage).map(
      ([key, { runs }]) => `All runs, storage ${key}: ${list(runs)} ms p50 at 1 connection.`,
    ),
  ]
}

function metricsNote(cost) {
  const { rounds, seconds, connections } = METRICS_SETTINGS
  const figures = describeMetricsCost(cost)
  return `Metrics on vs off: two fresh platform servers alike in all but METRICS (local, the default, and off), each with one seeded worker (never deployed, so its logs are not captured) and no builder beside it. ${rounds} paired rounds: in each, both are loaded at once for ${seconds} s at ${connections} connections each (their servers share the server core; the side started first alternates). Each round gives two ratios, on ÷ off: of req/s, and of requests per CPU second of the server (its process and workerd, from /proc), which the rest of the machine disturbs far less. Reported: the mean ratio ± the half-width of its 95 % confidence interval (Student's t). This run: req/s ${figures.ratio} (ratios ${figures.ratios}; on average ${Math.round(cost.on)} vs ${Math.round(cost.off)} req/s each); requests per CPU second ${figures.cpuRatio} (ratios ${figures.cpuRatios}).`
}

async function main() {
  const scratch = scratchDir()
  const loadAtStart = loadavg()[0]
  const stopWatchdog = startWatchdog('bench', WATCHDOG_MS, () => rmSync(scratch, { recursive: true, force: true }))
  let servers
  let registry
  try {
    log('building the platform, the builder and the baseline with wrangler deploy --dry-run')
    const small = join(scratch, 'platform-small')
    const large = join(scratch, 'platform-large')
    // The metrics pair: one seeded worker each (see METRICS_WORKER).
    const metrics = { on: join(scratch, 'metrics-on'), off: join(scratch, 'metrics-off') }
    for (const dir of [small, large, metrics.on, metrics.off]) mkdirSync(dir)
    // The large platform's 10,000: "hello", the 1,000 tenants, the cold starts from storage, and seeds.
    const stored = storedSeeds(SETTINGS.coldTenants)
    const seeded = SETTINGS.largeSize - 1 - SETTINGS.tenants - stored.reduce((sum, group) => sum + group.count, 0)
    log(`and seeding ${SETTINGS.smallSize - 1} and ${seeded} + ${SETTINGS.tenants} tenants into local KV meanwhile`)
    const [platformBundle, builderBundle, baselineBundle] = await Promise.all([
      buildBundle(PLATFORM_CONFIG, join(scratch, 'build-platform'), ['--env=']),
      buildBundle(BUILDER_CONFIG, join(scratch, 'build-builder')),
      buildBundle(BASELINE_CONFIG, join(scratch, 'build-baseline')),
      seedWorkers(PLATFORM_CONFIG, small, SETTINGS.smallSize - 1),
      seedWorkers(PLATFORM_CONFIG, large, seeded, [tenantSeed(SETTINGS.tenants), ...stored]),
      seedWorkers(PLATFORM_CONFIG, metrics.on, 1),
      seedWorkers(PLATFORM_CONFIG, metrics.off, 1),
    ])
    registry = await startRegistry()
    const bundle = { gzipBytes: gzipSync(readFileSync(platformBundle), { level: 9 }).byteLength }

    log('starting the baseline and both platforms')
    const bundles = { platform: platformBundle, builder: builderBundle, baseline: baselineBundle }
    servers = await startAll(bundles, scratch, small, large, metrics, registry)
    await prepare(servers)
    const tenantsLoaded = await loadTenants(servers.large, servers.baseline.url, SETTINGS.tenants, log)
    log('listing: GET / at 10 and at 10,000 workers, alternating')
    const listing = await measureListing(servers.small.url, servers.large.url, SETTINGS.listingRequests)
    // A seeded worker serves the same script with log capture off, as every worker nobody watches;
    // "hello" was just uploaded, so its logs are captured (15 minutes after each deploy).
    const targets = {
      baseline: { url: servers.baseline.url, pid: servers.baseline.pid },
      sandboxed: { url: `${servers.baseline.url}/sandboxed`, pid: servers.baseline.pid },
      small: { url: `${servers.small.url}/user-workers/${SEEDED_WORKER}`, pid: servers.small.pid },
      large: { url: `${servers.large.url}/user-workers/${SEEDED_WORKER}`, pid: servers.large.pid },
      tenants: { url: tenantsUrl(servers.large.url), pid: servers.large.pid, rotate: SETTINGS.tenants },
      captured: { url: `${servers.small.url}/user-workers/hello`, pid: servers.small.pid },
      baselineTenants: {
        url: baselineTenantsUrl(servers.baseline.url),
        pid: servers.baseline.pid,
        rotate: SETTINGS.tenants,
      },
    }
    const plan = {
      targets,
      // Judged pairs, on different servers: loaded at the same time.
      together: [
        ['small', 'sandboxed'],
        ['large', 'small'],
      ],
      // Pairs within one server: one after the other. The 1,000 tenants against the hot seeded
      // worker of the same platform, and the bare loader's 1,000 isolates against its one.
      alone: ['baseline', 'sandboxed', 'small', 'captured', 'large', 'tenants', 'baselineTenants'],
      single: ['baseline', 'sandboxed', 'small', 'large'],
    }
    const dispatch = await measureDispatch(plan, SETTINGS, log)
    const tenants = await finishTenants(servers.large, tenantsLoaded)
    const metricsCost = await measureMetricsCost(servers.metricsOn, servers.metricsOff, log)
    // After the load runs, because they register more workers on the 10-worker platform.
    log(`cold tenants: deploying ${SETTINGS.coldTenants} per bundle size (untimed)`)
    await deployColdTenants(servers.small.url, SETTINGS.coldTenants)
    const cold = await measureCold(
      { deployed: servers.small.url, stored: servers.large.url, baseline: servers.baseline.url },
      SETTINGS.coldTenants,
      log,
    )
    const { deploys, correctness } = await deploysAndCorrectness(servers.small.url, servers.large.url)
    const { builds, assets } = await projects(servers.small.url, registry)
    const { storage, domains, rollouts, budgets } = await storageRows(
      bundles,
      registry,
      join(scratch, 'platform-storage'),
      servers.baseline.url,
    )
    log('wrangler deploy vs the JSON API (10-worker platform)')
    const wranglerDeploys = await measureWranglerDeploys(servers.small.url, SETTINGS.wranglerDeploys)

    const measurements = {
      dispatch,
      listing,
      tenants,
      cold,
      deploys,
      correctness,
      bundle,
      builds,
      assets,
      wranglerDeploys,
      storage,
      domains,
      rollouts,
      budgets,
      metricsCost,
    }
    const rows = buildRows(measurements, SETTINGS)
    const table = renderTable(rows)
    const seconds = (performance.now() - started) / 1000
    const env = { ...environment(), loadAtStart: loadAtStart.toFixed(2), loadAtEnd: loadavg()[0].toFixed(2) }
    console.log(table)
    console.log(
      `\nTotal: ${seconds.toFixed(0)} s on ${env.cores} cores (1-min load average ${env.loadAtStart} at start). Written to bench/RESULTS.md and bench/results.svg.`,
    )
    writeResults(join(BENCH_DIR, 'RESULTS.md'), {
      table,
      environment: env,
      seconds,
      settings: {
        ...SETTINGS,
        pinning:
          SERVER_CORE === undefined
            ? 'No core pinning (fewer than 2 cores, or no taskset): servers and load generator share the CPU.'
            : `All three servers (workerd) pinned to core ${SERVER_CORE} and the load generator to core ${CLIENT_CORE} with taskset, so load generator and server never compete for a core; only one server is under load at a time, the harness itself only waits during load runs.`,
      },
      notes: [
        `Bundle size: gzip level 9 of the bundle \`wrangler deploy --dry-run\` writes (${bundle.gzipBytes.toLocaleString('en-US')} B); 50 KB = 50,000 B.`,
        'Upload rate limits from wrangler.jsonc (ratelimits) are raised for the bench only, so ~150 uploads a minute from 127.0.0.1 are not refused; the limiter is still called. Likewise TENANT_STORAGE_OPS_PER_SECOND (default 1,000) is raised to 1,000,000 on the platforms that serve the storage rows, which call env.DB faster than that on a quiet machine; the quota is still counted.',
        `Old-or-new check: ${correctness.uploads} uploads from ${correctness.uploaders} concurrent uploaders while ${correctness.readers} readers stream GETs; ${correctness.versionsSeen} distinct bodies seen.`,
        ...runNotes(dispatch),
        ...projectNotes(assets),
        ...storageNotes(storage),
        domainsNote(),
        "Budgets (issue #25, bench/rollouts.mjs): on the same platform (with an ADMIN_TOKEN), `budget-bench` gets a budget of 1,000,000,000 requests a day (POST /api/admin/workers/:name/budget), so it is never spent: each request takes one allowance in memory and each 1,000 a lease from the worker's object; judged against `rollout-plain` (same script, no budget), requests per CPU second, same settings as the custom-domain row.",
        'Rollouts (issue #25, bench/rollouts.mjs): on the same platform, `rollout-bench` serves its candidate to 10 % of visitors (POST /api/workers/:name/rollout) and `rollout-plain` the same script without a rollout; same settings as the custom-domain row. The load generator keeps no cookies, so every request is keyed by the client IP and every response of the rollout worker carries the Set-Cookie of the visitor key (a Response copy): the most a rollout costs per request.',
        `wrangler deploy (issue #23, bench/wrangler-deploy.mjs): examples/vite-react, installed once from the registry (not timed), then each round built by its own \`npm run build\` (tsc, vite build with @cloudflare/vite-plugin; timed apart) and deployed by the pinned wrangler ${versionOf('wrangler')} (\`wrangler deploy --dispatch-namespace ns\`, CLOUDFLARE_API_BASE_URL at the 10-worker platform's /client/v4, an account's API token), timed from the command's start until /user-workers/<name>/api/greeting first answers with the round's greeting: wrangler's own start-up (about a second of Node) and its assets upload are included. Against it, the same build (the Worker module and dist/client) as JSON files to PUT /api/workers/:name. ${SETTINGS.wranglerDeploys.rounds} rounds, each to new names, one after the other.`,
        metricsNote(metricsCost),
      ],
    })
    // The same rows as a chart, which RESULTS.md shows at its top (bench/chart.mjs).
    writeFileSync(join(BENCH_DIR, 'results.svg'), renderChart(rows, { date: env.date }))
  } finally {
    stopWatchdog()
    if (servers) await Promise.all(Object.values(servers).map((server) => server.stop()))
    await registry?.close()
    rmSync(scratch, { recursive: true, force: true })
  }
}

await main()
