// Turns the measurements of one run into the table (stdout and bench/RESULTS.md).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { GAP_MS } from './cold.mjs'
import { HOSTILE_END, HOSTILE_START } from './hostile.mjs'
import { describeMetricsCost } from './metrics.mjs'
import { average, bestLoaded, pairedDifference, pairedRatio, side } from './dispatch.mjs'

export const TARGETS = {
  // Issue #14: dispatch against the baseline that makes the same shared-origin copy (/sandboxed).
  throughputRatio: 0.95,
  addedP50Ms: 0.1,
  scaleRatio: 0.9,
  tenantsRatio: 0.8,
  listingRatio: 1.2,
  coldP50Ratio: 1.05,
  coldP99Ratio: 1.2,
  deployP50Ms: 100,
  bundleGzipBytes: 50_000,
  typescriptP50Ms: 300,
  coldBuildP50Ms: 2_000,
  cachedBuildP50Ms: 300,
  assetsRatio: 0.9,
  storageRatio: 1.5,
  // Issue #24: a custom hostname's dispatch against the same worker at <name>.<domain>.
  customDomainRatio: 0.95,
  // Issue #25: dispatch with a budget against without (leased allowances, no write per request).
  budgetRatio: 0.97,
  // Issue #12: metrics may cost at most 3 % of dispatch throughput, measured to better than that.
  metricsRatio: 0.97,
  metricsSpread: 0.03,
}

const int = (n) => Math.round(n).toLocaleString('en-US')
const ms = (n) => n.toFixed(2)
const ratio = (a, b) => `${(a / b).toFixed(2)}×`
const verdict = (ok) => (ok ? 'PASS' : 'FAIL')
const pair = (stats) => `${ms(stats.p50)} / ${ms(stats.p99)}`
const signed = (n, digits = 2) => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`
const rps = (run) => run.requestsPerSecond
const perCpu = (run) => run.perCpuSecond
const p50 = (run) => run.p50

/** A paired figure over the rounds: "0.93× [0.90–0.95] (all 0.85–1.02)": median [interval] (min–max). */
const spreadRatio = ({ median, low, high, min, max, rounds }) =>
  `${median.toFixed(3)}× [${low.toFixed(3)}–${high.toFixed(3)}] (all ${min.toFixed(2)}–${max.toFixed(2)}${rounds === undefined ? '' : `; ${rounds} rounds`})`
const spreadMs = ({ median, low, high, min, max }) =>
  `${signed(median, 3)} ms [${signed(low, 3)}–${signed(high, 3)}] (all ${signed(min)}–${signed(max)})`

/**
 * Throughput of a against b over the paired rounds (runs in round order), as requests per CPU
 * second of each server (what it would be on a dedicated core; judged) and as req/s (shown).
 */
function throughput(a, b) {
  const wall = pairedRatio(a, b, rps)
  // No CPU figures at all: no /proc (not Linux).
  if (![...a, ...b].some(perCpu)) return { judged: wall, text: `${spreadRatio(wall)} req/s` }
  const judged = pairedRatio(a, b, perCpu)
  return { judged, text: `${spreadRatio(judged)} per CPU s; req/s ${spreadRatio(wall)}` }
}

/** A pair loaded together: both sides' runs in round order, the ratio, and each side's mean req/s. */
function pairOf(dispatch, a, b) {
  const rounds = dispatch.together[`${a}|${b}`]
  const [runsA, runsB] = [side(rounds, a), side(rounds, b)]
  return { ...throughput(runsA, runsB), a: average(runsA, rps), b: average(runsB, rps), runsA, runsB }
}

/**
 * A target judged on a median and its interval: PASS when the whole interval is on the right side
 * of the target, FAIL when all of it is on the wrong side, else INCONCLUSIVE (spread too wide).
 */
function judged({ median, low, high }, target, atLeast) {
  if (atLeast ? low >= target : high <= target) return 'PASS'
  if (atLeast ? high < target : low > target) return 'FAIL'
  return `INCONCLUSIVE (median ${verdict(atLeast ? median >= target : median <= target)})`
}

/** One row per figure: [measure, value, baseline, ratio, target, result]. */
export function buildRows(m, { connections, rounds }) {
  const { alone, single } = m.dispatch
  const c = `${connections} conns`
  const r = `${rounds} paired rounds`
  const floor = pairOf(m.dispatch, 'small', 'sandboxed')
  const scale = pairOf(m.dispatch, 'large', 'small')
  const added = pairedDifference(single.small, single.sandboxed, p50)
  const addedBare = pairedDifference(single.small, single.baseline, p50)
  const p50s = (key) => average(single[key], p50)
  const p99s = (key) => average(single[key], (run) => run.p99)
  const singlePair = (key) => `${ms(p50s(key))} / ${ms(p99s(key))}`
  const { correctness: check } = m
  return [
    [
      `Dispatch throughput, req/s (${c}) vs baseline + shared-origin sandbox copy, loaded together; ${r}`,
      int(floor.a),
      int(floor.b),
      floor.text,
      `≥ ${TARGETS.throughputRatio.toFixed(2)}×`,
      judged(floor.judged, TARGETS.throughputRatio, true),
    ],
    [
      `Dispatch throughput, req/s (${c}) vs bare Worker Loader, one after the other; ${r}`,
      int(bestLoaded(alone.small).requestsPerSecond),
      int(bestLoaded(alone.baseline).requestsPerSecond),
      throughput(alone.small, alone.baseline).text,
      `info: sandbox copy alone ${spreadRatio(throughput(alone.sandboxed, alone.baseline).judged)}`,
      '—',
    ],
    [
      `Dispatch throughput with log capture on (after a deploy or a read) vs off (${c})`,
      int(bestLoaded(alone.captured).requestsPerSecond),
      int(bestLoaded(alone.small).requestsPerSecond),
      throughput(alone.captured, alone.small).text,
      'info: what a tail costs',
      '—',
    ],
    [
      `Dispatch latency p50 / p99, ms (${c}) vs sandboxed baseline, best runs alone`,
      pair(bestLoaded(alone.small)),
      pair(bestLoaded(alone.sandboxed)),
      ratio(bestLoaded(alone.small).p50, bestLoaded(alone.sandboxed).p50),
      'info',
      '—',
    ],
    [
      `Dispatch latency p50 / p99, ms (1 conn, mean of rounds) vs sandboxed baseline; added p50`,
      singlePair('small'),
      singlePair('sandboxed'),
      spreadMs(added),
      `added p50 ≤ ${ms(TARGETS.addedP50Ms)} ms (vs bare: ${spreadMs(addedBare)})`,
      judged(added, TARGETS.addedP50Ms, false),
    ],
    [
      `10,000 workers: throughput, req/s (${c}) vs 10 workers, loaded together; ${r}`,
      int(scale.a),
      int(scale.b),
      scale.text,
      `≥ ${TARGETS.scaleRatio.toFixed(2)}×`,
      judged(scale.judged, TARGETS.scaleRatio, true),
    ],
    [
      `10,000 workers: p50 / p99, ms (${c}, best run) vs 10 workers, loaded together`,
      pair(bestLoaded(scale.runsA)),
      pair(bestLoaded(scale.runsB)),
      ratio(bestLoaded(scale.runsA).p50, bestLoaded(scale.runsB).p50),
      'info',
      '—',
    ],
    [
      '10,000 workers: p50 / p99, ms (1 conn, mean of rounds) vs 10 workers',
      singlePair('large'),
      singlePair('small'),
      spreadRatio(pairedRatio(single.large, single.small, p50)),
      'info',
      '—',
    ],
    ...tenantRows(m, c, r),
    [
      `GET / (the list), p50 / p99 ms: 10,000 workers vs 10 (n=${m.listing.large.samples} each, alternating)`,
      pair(m.listing.large),
      pair(m.listing.small),
      ratio(m.listing.large.p50, m.listing.small.p50),
      `≤ ${TARGETS.listingRatio.toFixed(2)}×`,
      verdict(m.listing.large.p50 <= TARGETS.listingRatio * m.listing.small.p50),
    ],
    ...coldRows(m),
    [
      `Deploy → first response, new name, p50 / p99 ms (n=${m.deploys.created.samples})`,
      pair(m.deploys.created),
      `budget ${TARGETS.deployP50Ms}`,
      ratio(m.deploys.created.p50, TARGETS.deployP50Ms),
      `p50 < ${TARGETS.deployP50Ms} ms`,
      verdict(m.deploys.created.p50 < TARGETS.deployP50Ms),
    ],
    [
      `Deploy → first response, update, p50 / p99 ms (n=${m.deploys.updated.samples})`,
      pair(m.deploys.updated),
      `budget ${TARGETS.deployP50Ms}`,
      ratio(m.deploys.updated.p50, TARGETS.deployP50Ms),
      `p50 < ${TARGETS.deployP50Ms} ms`,
      verdict(m.deploys.updated.p50 < TARGETS.deployP50Ms),
    ],
    [
      'Dispatch Worker bundle, gzip bytes',
      int(m.bundle.gzipBytes),
      `budget ${int(TARGETS.bundleGzipBytes)}`,
      ratio(m.bundle.gzipBytes, TARGETS.bundleGzipBytes),
      '≤ 50 KB',
      verdict(m.bundle.gzipBytes <= TARGETS.bundleGzipBytes),
    ],
    [
      `Old-or-new under load, 10,000-worker platform with its 1,000 tenants loaded: bad responses of ${int(check.reads)} reads, ${check.uploads} uploads`,
      describeCheck(check),
      '0',
      '—',
      '0 bad, 0 5xx, 0 failed uploads',
      verdict(check.bad === 0 && check.failedUploads === 0),
    ],
    ...projectRows(m, c),
    ...wranglerRows(m),
    ...storageRows(m),
    ...pairedRows(m, c),
    ...metricsRows(m.metricsCost, connections),
  ]
}

/**
 * Issue #14: 1,000 tenants round-robin against one hot tenant of the same platform server, one
 * after the other in each round (loaded together with another server on the shared core, the
 * 1,000 isolates' working set lost more to the other process than one hot isolate did, which
 * measured the pairing, not the tenants); the bare loader doing the same is beside it.
 */
function tenantRows({ dispatch, tenants: t }, c, r) {
  const { alone } = dispatch
  const vsHot = throughput(alone.tenants, alone.large)
  const bare = throughput(alone.baselineTenants, alone.baseline)
  const mib = (n) => (n === null ? 'n/a' : `${int(n)} MiB`)
  return [
    [
      `${int(t.count)} tenants round-robin vs one hot tenant, same 10,000-worker platform: req/s (${c}), one after the other; ${r}`,
      int(bestLoaded(alone.tenants).requestsPerSecond),
      int(bestLoaded(alone.large).requestsPerSecond),
      vsHot.text,
      `≥ ${TARGETS.tenantsRatio.toFixed(2)}×, 0 errors`,
      judged(vsHot.judged, TARGETS.tenantsRatio, true),
    ],
    [
      `${int(t.count)} isolates round-robin on the bare loader vs its one hot isolate: req/s (${c}), one after the other`,
      int(bestLoaded(alone.baselineTenants).requestsPerSecond),
      int(bestLoaded(alone.baseline).requestsPerSecond),
      bare.text,
      'info: what many isolates cost the runtime itself, with no platform',
      '—',
    ],
    [
      `${int(t.count)} tenants: workerd RSS before their first requests → all loaded → after load; isolates reloaded (evicted)`,
      `${mib(t.rssBefore)} → ${mib(t.rssLoaded)} → ${mib(t.rssAfterLoad)}`,
      '—',
      `${t.reloaded} of ${int(t.count)} reloaded`,
      `info: first request to all: ${t.loadSeconds.toFixed(1)} s`,
      '—',
    ],
  ]
}

/**
 * Issue #14: first request to a freshly deployed worker vs the bare loader with a new ID (judged),
 * and to a worker whose code is only in storage vs the bare loader reading it from KV (its floor).
 */
function coldRows({ cold }) {
  // One row per percentile, each judged against its own target.
  const percentile = (size, platform, baseline, key, target) => [
    `Cold start after a deploy, ${size.label} bundle: first request ${key}, ms (n=${platform.samples} tenants) vs bare loader, new ID, code in memory`,
    ms(platform[key]),
    ms(baseline[key]),
    ratio(platform[key], baseline[key]),
    `≤ ${target.toFixed(2)}×`,
    verdict(platform[key] <= target * baseline[key]),
  ]
  return cold.flatMap(({ size, platform, baseline, wired, stored, floor }) => [
    percentile(size, platform, baseline, 'p50', TARGETS.coldP50Ratio),
    percentile(size, platform, baseline, 'p99', TARGETS.coldP99Ratio),
    [
      `Cold start, ${size.label}: the bare loader with the platform's wiring of a user Worker (an outbound gate entrypoint, a tail, the default limits), p50 ms`,
      ms(wired.p50),
      ms(baseline.p50),
      ratio(wired.p50, baseline.p50),
      'info: what the egress gate, log capture and limits cost a cold start, without the platform',
      '—',
    ],
    [
      `Cold start from storage, ${size.label}: the bare loader reading the code from KV in its callback, p50 ms (n=${floor.samples}) vs the same from memory`,
      ms(floor.p50),
      ms(baseline.p50),
      ratio(floor.p50, baseline.p50),
      'info: the floor for any platform that keeps code in KV',
      '—',
    ],
    [
      `Cold start from storage, ${size.label}: first request p50 / p99, ms, to a worker the 10,000-worker platform has not seen (n=${stored.samples}) vs that floor`,
      pair(stored),
      pair(floor),
      ratio(stored.p50, floor.p50),
      "info: what the platform adds: the name's record read from KV, and its own JavaScript",
      '—',
    ],
  ])
}

/**
 * Issue #13: a tenant's storage calls (1 connection) vs a Worker on the bare loader doing the same
 * with the bindings as directly as the runtime passes them; the bindings called from the baseline's
 * own fetch, without a loader, are information.
 */
function storageRows({ storage }) {
  if (!storage) return []
  const row = (label, tenant, loaded) => [
    `${label}, p50 / p99 ms (1 conn) vs a Worker on the bare loader given the binding directly`,
    pair(tenant.best),
    pair(loaded.best),
    ratio(tenant.best.p50, loaded.best.p50),
    `≤ ${TARGETS.storageRatio.toFixed(2)}×`,
    verdict(tenant.best.p50 <= TARGETS.storageRatio * loaded.best.p50),
  ]
  const info = (label, tenant, direct) => [
    `${label}, p50 / p99 ms (1 conn) vs the binding called with no loader in between`,
    pair(tenant.best),
    pair(direct.best),
    ratio(tenant.best.p50, direct.best.p50),
    'info',
    '—',
  ]
  return [
    row('Tenant env.KV.get', storage.tenantKv, storage.loadedKv),
    row('Tenant env.DB one-row query', storage.tenantSql, storage.loadedSql),
    ...(storage.declaredSql
      ? [
          row('Project D1 one-row query through its declared binding (APP_DB)', storage.declaredSql, storage.loadedSql),
          row('Project Durable Object RPC call (a read in the object)', storage.tenantObject, storage.loadedObject),
          [
            'Project Durable Object RPC call, p50 / p99 ms (1 conn) vs the bare host reached through a forwarding entrypoint',
            pair(storage.tenantObject.best),
            pair(storage.loadedObjectEntry.best),
            ratio(storage.tenantObject.best.p50, storage.loadedObjectEntry.best.p50),
            "info: the row above without the binding's hop",
            '—',
          ],
        ]
      : []),
    info('Tenant env.KV.get', storage.tenantKv, storage.baselineKv),
    info('Tenant env.DB one-row query', storage.tenantSql, storage.baselineSql),
    [
      'Tenant without a storage call (same worker), p50 / p99 ms (1 conn)',
      pair(storage.tenantHello.best),
      '—',
      '—',
      'info: the dispatch share of the rows above',
      '—',
    ],
  ]
}

/**
 * Two rows for a pair measured on one server (bench/pairs.mjs): throughput at 16 connections,
 * judged per CPU second against `target` (none: information), and p50 / p99 at one connection.
 */
function pairRows({ runs, latency }, [side, baseline], { throughputLabel, latencyLabel, target, note }) {
  const { judged: figure, text } = throughput(runs[side], runs[baseline])
  return [
    [
      `${throughputLabel}; ${runs[side].length} paired rounds`,
      int(average(runs[side], rps)),
      int(average(runs[baseline], rps)),
      text,
      target ? `≥ ${target.toFixed(2)}×` : `info: ${note}`,
      target ? judged(figure, target, true) : '—',
    ],
    [
      latencyLabel,
      pair(latency[side]),
      pair(latency[baseline]),
      ratio(latency[side].p50, latency[baseline].p50),
      target ? `info: ${note}` : 'info',
      '—',
    ],
  ]
}

/** Issues #24 and #25: a custom hostname, a 10 % rollout and a daily budget, each against its plain twin. */
function pairedRows({ domains, rollouts, budgets }, c) {
  return [
    ...(domains
      ? pairRows(domains, ['custom', 'named'], {
          throughputLabel: `Custom hostname dispatch, req/s (${c}) vs the same worker at <name>.<domain> (<name>.localhost), one after the other`,
          latencyLabel: 'Custom hostname dispatch, p50 / p99 ms (1 conn, alternating with <name>.localhost)',
          target: TARGETS.customDomainRatio,
          note: 'the hostname mapping (cached like names) and the owner check',
        })
      : []),
    ...(rollouts
      ? pairRows(rollouts, ['rollout', 'plain'], {
          throughputLabel: `Worker in a 10 % gradual rollout, req/s (${c}) vs a plain worker, one after the other`,
          latencyLabel: 'Worker in a 10 % gradual rollout, p50 / p99 ms (1 conn, alternating with a plain worker)',
          note: 'the visitor key and its bucket, and a Set-Cookie on every response (the load keeps no cookies)',
        })
      : []),
    ...(budgets
      ? pairRows(budgets, ['budget', 'plain'], {
          throughputLabel: `Dispatch with a daily budget vs without, req/s (${c}), one after the other`,
          latencyLabel: 'Dispatch with a daily budget, p50 / p99 ms (1 conn, alternating with a worker without)',
          target: TARGETS.budgetRatio,
          note: 'an allowance taken in memory per request, a lease per 1,000',
        })
      : []),
  ]
}

/**
 * Issue #12: dispatch with per-worker metrics on vs off (bench/metrics.mjs). Judged on requests
 * per CPU second (what throughput is on a dedicated core), whose spread stays small on a busy
 * machine; the req/s ratio of the same rounds is shown beside it.
 */
function metricsRows(cost, connections) {
  const judged = cost.cpu ?? cost
  const figures = describeMetricsCost(cost)
  const share = cost.hotPathNs / 1000 / cost.dispatchCpuUs
  const hotPath = [
    'Metrics hot path alone (MinuteAggregator.record), ns per request vs dispatch CPU per request',
    `${Math.round(cost.hotPathNs)} ns`,
    `${Math.round(cost.dispatchCpuUs)} µs`,
    `${(share * 100).toFixed(3)} %`,
    'info: ≤ 3 %',
    '—',
  ]
  const paired = [
    `Dispatch with metrics on vs off, req/s (${connections} conns each, paired rounds); ratio of requests per CPU second (of req/s: ${figures.ratio})`,
    int(cost.on),
    int(cost.off),
    cost.cpu ? figures.cpuRatio : figures.ratio,
    `≥ ${TARGETS.metricsRatio.toFixed(2)}× (cost ≤ 3 %), spread < ${TARGETS.metricsSpread}`,
    judged.spread < TARGETS.metricsSpread ? verdict(judged.mean >= TARGETS.metricsRatio) : 'INCONCLUSIVE (spread)',
  ]
  return [paired, hotPath]
}

/** Issue #11: projects through the builder, and static assets. */
function projectRows({ builds, assets }, c) {
  const budgetRow = (label, stats, budget) => [
    `${label}, p50 / p99 ms (n=${stats.samples})`,
    pair(stats),
    `budget ${int(budget)}`,
    ratio(stats.p50, budget),
    `p50 < ${int(budget)} ms`,
    verdict(stats.p50 < budget),
  ]
  return [
    budgetRow('TypeScript file: upload → first response', builds.typescript, TARGETS.typescriptP50Ms),
    budgetRow('2 npm dependencies, cold build: upload → first response', builds.cold, TARGETS.coldBuildP50Ms),
    budgetRow('2 npm dependencies, identical re-upload (build cache)', builds.cached, TARGETS.cachedBuildP50Ms),
    ...assets.map(({ size, assets: served, memory }) => [
      `Asset GETs, ${size.label} file, req/s (${c}) vs Worker serving it from memory`,
      int(served.requestsPerSecond),
      int(memory.requestsPerSecond),
      ratio(served.requestsPerSecond, memory.requestsPerSecond),
      `≥ ${TARGETS.assetsRatio.toFixed(2)}×`,
      verdict(served.requestsPerSecond >= TARGETS.assetsRatio * memory.requestsPerSecond),
    ]),
  ]
}

/** Issue #23: `wrangler deploy` of the Vite + React example against the same build through the JSON API. */
function wranglerRows({ wranglerDeploys }) {
  if (!wranglerDeploys) return []
  const { build, wrangler, api } = wranglerDeploys
  return [
    [
      `wrangler deploy --dispatch-namespace of the Vite + React example (examples/vite-react, built): start → its API's first answer, p50 / p99 ms (n=${wrangler.samples}) vs the same build through PUT /api/workers/:name`,
      pair(wrangler),
      pair(api),
      ratio(wrangler.p50, api.p50),
      `info: the wrangler process (start-up, upload of its assets) included; its own npm run build (tsc, vite build) before it takes p50 ${Math.round(build.p50)} ms more`,
      '—',
    ],
  ]
}

function describeCheck(check) {
  const parts = Object.entries(check.problems).map(([kind, count]) => `${count} ${kind}`)
  if (check.failedUploads)
    parts.push(`${check.failedUploads} uploads failed (${check.failedUploadStatuses.join(', ')})`)
  return parts.length ? parts.join('; ') : '0'
}

const HEADER = ['Measure', 'Value', 'Baseline', 'Ratio', 'Target', 'Result']

/** A Markdown table, padded so it also reads well in a terminal. */
export function renderTable(rows) {
  const all = [HEADER, ...rows]
  const widths = HEADER.map((_, col) => Math.max(...all.map((row) => String(row[col]).length)))
  const line = (row) => `| ${row.map((cell, col) => String(cell).padEnd(widths[col])).join(' | ')} |`
  return [line(HEADER), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

/** The chart of the table (bench/results.svg, written by bench/run.mjs beside this file), at the top of RESULTS.md. */
export const CHART_EMBED =
  "![The table below as a chart: each measure's ratio to its baseline (log scale), its target and its result](results.svg)"

export function writeResults(path, { table, environment, settings, seconds, notes }) {
  const text = `# Benchmark results

Written by \`npm run bench\` (bench/run.mjs); every figure below comes from the same run.

${CHART_EMBED}

- Date: ${environment.date}
- Machine: ${environment.cores} cores (\`nproc\`), ${environment.cpu}
- Node ${environment.node}, wrangler ${environment.wrangler}, miniflare ${environment.miniflare}, workerd ${environment.workerd}, autocannon ${environment.autocannon}
- Total run time: ${seconds.toFixed(0)} s; 1-minute load average ${environment.loadAtStart} at start, ${environment.loadAtEnd} at the end
  (anything else running on the machine shows up here and in the spread of the runs listed below)

${table}

## How it was measured

- Both sides are bundled by \`wrangler deploy --dry-run\` and served by workerd through Miniflare
  (bench/server.mjs), with the bindings of their own wrangler config, each in its own process. The
  baseline (bench/baseline/) does nothing but \`env.LOADER.get(fixedId, () => code)\` and
  \`getEntrypoint().fetch(request)\` for the same user script the platform serves as "hello".
  Its \`/sandboxed\` path adds only the copy the platform must make of every user response on its
  shared origin (CSP sandbox, no Set-Cookie; the loader's response headers are immutable), so the
  security requirement's cost and the rest of the platform's overhead show separately.
- ${settings.pinning}
- Load: autocannon in a separate process (one, long-lived, pinned to its core), closed loop.
  Dispatch (bench/dispatch.mjs) runs ${settings.rounds} paired rounds after a ${settings.warmupSeconds} s warm-up per target. In each
  round: (1) each judged pair on different servers — platform and sandboxed baseline, 10,000 and
  10 workers — is loaded together for ${settings.loadSeconds} s at ${settings.connections} connections
  each (both servers share the server core); (2) the baseline, its /sandboxed path, the platform,
  the captured worker, the 10,000-worker platform's hot seeded worker and its 1,000 tenants
  round-robin, and the baseline's 1,000 isolates round-robin (\`/tenant-<i>\`, one loader ID per
  tenant, same scripts) are loaded one after the other for ${settings.loadSeconds} s (pairs within one server);
  (3) unloaded latency: ${settings.singleRequests} requests to each of baseline, sandboxed, platform and 10,000-worker
  platform, one at a time, to each in turn. The order is reversed every other round.
  Throughput is compared as requests per CPU second of each side's server (its process and
  workerd, from /proc/<pid>/stat: what the throughput would be on a dedicated core), which the
  other work on this shared machine disturbs far less than wall-clock req/s (shown beside it).
  Ratios and added latency are computed within each round and reported as the median over the
  rounds, [an interval for it: the second-lowest to second-highest round, a 93 % confidence
  interval for the median with 8 rounds, by order statistics], and (all: the min–max of the
  rounds). The median rather than the mean, because on this shared machine a round now and then
  meets a burst of other work (one round measured 6.9× in a trial run; in another, a 1 s run got
  no response at all); a round whose run answered nothing has no ratio and is left out (the
  number of rounds counted is shown); a target passes when the whole interval is on its side, fails when all of it is on
  the other side, and is INCONCLUSIVE otherwise. Latencies are exact per-response times (not
  autocannon's 1 ms histogram). With a closed loop, the loaded p50 is about connections ÷
  throughput, so it restates the throughput ratio; the added-latency target is judged at 1 connection.
- Changed in issue #14 (so the whole run fits 5 minutes with the new rows, and the spread is on
  record): short runs in ${settings.rounds} paired rounds, judged pairs loaded together and on requests per CPU
  second, instead of 8 s / 3 s runs one after the other in 3 rounds with the best run kept; the
  dispatch targets are now judged against the sandboxed baseline (≥ ${TARGETS.throughputRatio}×, added p50 ≤ ${TARGETS.addedP50Ms} ms), the bare
  ratio is kept as information; GET / alternates between the two platforms one request at a time.
- Scale: ${int(settings.smallSize)} and ${int(settings.largeSize)} registered workers. The 10-worker platform has ${int(settings.smallSize - 1)} seeded straight
  into the local KV namespace (bench/seed.mjs) and "hello" uploaded through the API; the 10,000-worker
  one has ${int(settings.largeSize - 1 - settings.tenants)} seeded, ${int(settings.tenants)} seeded tenants (bench/tenants.mjs; distinct scripts, each answering
  its name and an ID drawn once per isolate) and "hello".
  GET / is timed over ${settings.listingRequests} requests per platform after 10 warm-up requests each, alternating platforms.
- ${int(settings.tenants)} tenants: each is requested once first (every isolate loaded), then they are a
  dispatch target whose path turns round-robin over all of them across the ${settings.connections} connections; afterwards each is
  requested once more, and a changed isolate ID counts as an isolate the loader evicted and loaded again.
  RSS is VmRSS of the platform's workerd process (/proc/<pid>/status). Seeded, the tenants have log
  capture off, like the hot tenant they are judged against (seed-0 on the same 10,000-worker
  platform, so the row measures many busy tenants, not the platform's size, which the 10,000-worker
  row measures). They were judged against the 10-worker platform's hot tenant loaded together
  before, which measured 0.53–0.75× against 0.89–0.97× on one server (a scratch run of 4 s loads:
  CPU per request 0.341–0.373 ms vs 0.330–0.345 ms): with two servers taking turns on one core, the
  1,000 isolates' working set most likely lost more to the other process than one hot isolate did.
- Cold starts (bench/cold.mjs), two cases per bundle size. After a deploy: ${settings.coldTenants} workers
  deployed through the API to the 10-worker platform (untimed, after the dispatch rounds; deploying
  starts no isolate under the ID dispatch uses), then one GET each, timed to the last byte of the
  body, with one GET each of the baseline's \`/cold/<bytes>/<new id>\` (the same script, held in
  memory, under an ID never used before) and \`/cold-wired/…\` (the same with the platform's wiring).
  The platform's first request includes everything a cold start does there: the record (cached by
  the deploy), the code (kept in memory by the isolate that stored it, for 60 s and up to 8 MiB:
  a 1 KB worker's first load reads no KV, most 1 MB ones are read back from KV), secrets, settings,
  and the tail of log capture (on after a deploy). From storage: ${settings.coldTenants} workers per size seeded into
  the 10,000-worker platform's KV (code encoded by the platform's own code-store.ts), never
  requested before: the platform reads the name's record and the code from KV; against the
  baseline's \`/cold-stored/…\`, the bare loader reading the same script from its own KV in the
  loader's callback. The side that goes first turns with every tenant, and each request starts
  ${GAP_MS} ms after the one before ended, so that what one leaves running on the shared server
  core (a tail's delivery, background work) can finish before the next side's request. The script
  (bench/user-script.mjs coldScript) is a data table as an array literal the module evaluates at
  load, answering with its row count.
- Deploys: ${settings.deploys} uploads of new names, then ${settings.deploys} updates of one name (with its deploy token),
  each timed from the start of \`PUT /api/workers/:name\` until /user-workers/<name> first answers
  with the new version's body. Measured on the ${settings.smallSize}-worker platform after its load runs.
- Ratios compare with the baseline column: the bare Worker, the 10-worker platform, or a budget.
${notes.map((note) => `- ${note}`).join('\n')}
`
  writeFileSync(path, text + keptSection(path))
}

/** The "Hostile tenants" section bench/hostile.mjs wrote into the file (its own run, its own date), kept as it is. */
function keptSection(path) {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : ''
  const start = old.indexOf(HOSTILE_START)
  const end = old.indexOf(HOSTILE_END)
  return start >= 0 && end > start ? `\n${old.slice(start, end + HOSTILE_END.length)}\n` : ''
}
