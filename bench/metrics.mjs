// What per-worker metrics cost dispatch: the same platform with METRICS=local (the default) and
// METRICS=off, in paired rounds. Each round loads both servers at once for a few seconds (which one
// starts first alternates) and gives two ratios, on ÷ off: of req/s, and of requests per CPU second
// of each server; the mean of each is the cost, and the half-width of its 95 % confidence interval
// the spread. Measured at the same time, the two sides share whatever else the machine is doing;
// run one after the other (tried first), 2-second runs on this shared 2-core machine varied so much
// that 10 pairs gave ±15 % (at the same time: ±3 to ±5 %, depending on the machine's load). The hot
// path is also timed alone (measureHotPath), which no load on the machine can blur much.
//
// Used by bench/run.mjs (a row of `npm run bench`); `node bench/metrics.mjs` runs it alone (about a
// minute: builds the platform, starts both servers, prints the figures).
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { waitForBody } from './lib/client.mjs'
import { cpuSeconds } from './lib/proc.mjs'
import { ROOT, buildBundle, runLoad, scratchDir, startServer, startWatchdog } from './lib/procs.mjs'
import { seedWorkers } from './seed.mjs'
import { HELLO_BODY } from './user-script.mjs'

/**
 * The worker both sides serve: registered by seed.mjs, never deployed, so its logs are not captured
 * (a fresh deploy turns capture on for 15 minutes, and a tail costs far more than metrics).
 */
export const METRICS_WORKER = 'seed-0'

export const METRICS_SETTINGS = { rounds: 10, seconds: 2, connections: 16, warmupSeconds: 2 }

// Two-sided 95 % quantiles of Student's t by degrees of freedom (n − 1 pairs), for the spread.
const T95 = { 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 15: 2.131 }

function tQuantile(degrees) {
  const known = Object.keys(T95)
    .map(Number)
    .filter((d) => d <= degrees)
  return known.length ? T95[Math.max(...known)] : 12.706
}

function checked(url, run) {
  if (run.non2xx || run.errors) throw new Error(`${url}: ${run.non2xx} non-2xx responses, ${run.errors} errors`)
  return run
}

/**
 * What the hot path costs by itself: nanoseconds per `MinuteAggregator.record` (the whole of what
 * metrics add to a request, besides two clock reads), on this Node's V8, best of 5 runs. The
 * module is bundled from src/ with esbuild (wrangler's), as the dispatch Worker's bundle is.
 */
export async function measureHotPath(iterations = 1_000_000) {
  const { outputFiles } = await build({
    entryPoints: [join(ROOT, 'src', 'metrics', 'metrics-recorder.ts')],
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
  })
  const source = Buffer.from(outputFiles[0].text).toString('base64')
  const { MinuteAggregator } = await import(`data:text/javascript;base64,${source}`)
  const store = { getByName: () => ({ add: async () => {}, read: async () => [], forget: async () => {} }) }
  const aggregator = new MinuteAggregator(store)
  const ctx = { waitUntil: () => {} }
  let best = Infinity
  for (let run = 0; run < 5; run++) {
    const started = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) aggregator.record('hello', i % 97 ? 200 : 500, (i % 200) * 0.7, ctx)
    best = Math.min(best, Number(process.hrtime.bigint() - started) / iterations)
  }
  return best
}

/** Mean and half-width of its 95 % confidence interval. */
function meanAndSpread(values) {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1)
  return { mean, spread: (tQuantile(values.length - 1) * Math.sqrt(variance)) / Math.sqrt(values.length) }
}

/**
 * Paired rounds against the two servers ({ url, pid }): in each, both are loaded at the same time
 * (their servers share one core), the side started first alternating. Each round gives two ratios,
 * on ÷ off: of requests per second, and of requests per CPU second of the server (process and
 * workerd, from /proc), which other work on the machine disturbs far less than wall-clock
 * throughput. Returned: the ratios of the rounds, and the mean and spread of each.
 */
export async function measureMetricsCost(onServer, offServer, log = () => {}, settings = METRICS_SETTINGS) {
  const { rounds, seconds, connections, warmupSeconds } = settings
  const sides = [onServer, offServer].map((server) => ({
    ...server,
    target: `${server.url}/user-workers/${METRICS_WORKER}`,
  }))
  await Promise.all(sides.map((side) => runLoad(side.target, connections, warmupSeconds)))
  const on = []
  const off = []
  for (let round = 0; round < rounds; round++) {
    log(`metrics on vs off, round ${round + 1}/${rounds}`)
    const order = round % 2 ? [...sides].reverse() : sides
    const before = sides.map((side) => cpuSeconds(side.pid))
    const runs = await Promise.all(
      order.map((side) => runLoad(side.target, connections, seconds).then((run) => checked(side.target, run))),
    )
    const after = sides.map((side) => cpuSeconds(side.pid))
    const [onRun, offRun] = round % 2 ? [...runs].reverse() : runs
    const cpu = (i) => (before[i] === null ? null : after[i] - before[i])
    on.push({ ...onRun, cpuSeconds: cpu(0) })
    off.push({ ...offRun, cpuSeconds: cpu(1) })
  }
  const ratios = on.map((run, i) => run.requestsPerSecond / off[i].requestsPerSecond)
  const perCpu = (run) => run.ok / run.cpuSeconds
  const cpuRatios = on[0].cpuSeconds === null ? null : on.map((run, i) => perCpu(run) / perCpu(off[i]))
  const average = (runs) => runs.reduce((sum, run) => sum + run.requestsPerSecond, 0) / runs.length
  // CPU per request of dispatch without metrics, pooled over the rounds: what the hot path adds to.
  const offCpu = off.reduce((sum, run) => sum + (run.cpuSeconds ?? NaN), 0)
  const offRequests = off.reduce((sum, run) => sum + run.ok, 0)
  return {
    dispatchCpuUs: (offCpu / offRequests) * 1e6,
    hotPathNs: await measureHotPath(),
    ratios,
    ...meanAndSpread(ratios),
    cpu: cpuRatios && { ratios: cpuRatios, ...meanAndSpread(cpuRatios) },
    on: average(on),
    off: average(off),
    settings,
  }
}

/** How the figures read in a table cell and a note. */
export function describeMetricsCost(cost) {
  const { ratios, mean, spread, cpu } = cost
  const figure = (m, s) => `${m.toFixed(3)}× ± ${s.toFixed(3)}`
  const list = (values) => values.map((r) => r.toFixed(3)).join(', ')
  return {
    ratio: figure(mean, spread),
    ratios: list(ratios),
    cpuRatio: cpu ? figure(cpu.mean, cpu.spread) : 'n/a (no /proc)',
    cpuRatios: cpu ? list(cpu.ratios) : 'n/a',
    hotPath: `${Math.round(cost.hotPathNs)} ns per request, ${((cost.hotPathNs / 1000 / cost.dispatchCpuUs) * 100).toFixed(3)} % of dispatch's ${Math.round(cost.dispatchCpuUs)} µs CPU per request`,
  }
}

async function main() {
  const scratch = scratchDir('wfp-bench-metrics-')
  const stopWatchdog = startWatchdog('bench:metrics', 150_000)
  let servers = []
  try {
    const config = join(ROOT, 'wrangler.jsonc')
    const bundle = await buildBundle(config, join(scratch, 'build'), ['--env='])
    const dirs = [join(scratch, 'on'), join(scratch, 'off')]
    for (const dir of dirs) {
      mkdirSync(dir)
      await seedWorkers(config, dir, 1)
    }
    servers = await Promise.all([
      startServer(config, bundle, dirs[0]),
      startServer(config, bundle, dirs[1], { vars: { METRICS: 'off' } }),
    ])
    for (const server of servers) await waitForBody(server.url, METRICS_WORKER, HELLO_BODY)
    const [on, off] = servers
    const result = await measureMetricsCost(on, off, (message) => console.error(`[bench:metrics] ${message}`))
    const figures = describeMetricsCost(result)
    console.log(
      `Dispatch with metrics on / off (mean of ${result.ratios.length} paired ratios ± 95 % CI):\n` +
        `  req/s: ${figures.ratio} (${Math.round(result.on)} vs ${Math.round(result.off)} on average); ratios ${figures.ratios}\n` +
        `  requests per CPU second: ${figures.cpuRatio}; ratios ${figures.cpuRatios}\n` +
        `  hot path alone: ${figures.hotPath}`,
    )
  } finally {
    stopWatchdog()
    await Promise.all(servers.map((server) => server.stop()))
    rmSync(scratch, { recursive: true, force: true })
  }
}

if (import.meta.main) await main()
