// What per-worker metrics cost dispatch: the same platform with METRICS=local (the default) and
// METRICS=off, in paired rounds. Each round loads both servers at once for a few seconds (which
// one starts first alternates) and gives one ratio, on ÷ off; the mean of the ratios is the cost,
// and the half-width of its 95 % confidence interval the spread. Measured at the same time, the two
// sides share whatever else the machine is doing; run one after the other (tried first), 2-second
// runs on this shared 2-core machine varied so much that 10 pairs gave ±15 % (at the same time: ±3 %).
//
// Used by bench/run.mjs (a row of `npm run bench`); `node bench/metrics.mjs` runs it alone (about a
// minute: builds the platform, starts both servers, prints the figures).
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { uploadOrThrow, waitForBody } from './lib/client.mjs'
import { ROOT, buildBundle, killChildren, runLoad, startServer } from './lib/procs.mjs'
import { HELLO_BODY, HELLO_SCRIPT } from './user-script.mjs'

export const METRICS_SETTINGS = { rounds: 16, seconds: 2, connections: 16, warmupSeconds: 1 }

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
 * Paired rounds against the two URLs: in each, both sides are loaded at the same time (their
 * servers share one core, so each gets the share of it its cost per request allows), the side
 * started first alternating. The ratios of the rounds, their mean and its spread.
 */
export async function measureMetricsCost(onUrl, offUrl, log = () => {}, settings = METRICS_SETTINGS) {
  const { rounds, seconds, connections, warmupSeconds } = settings
  await Promise.all([onUrl, offUrl].map((url) => runLoad(url, connections, warmupSeconds)))
  const on = []
  const off = []
  for (let round = 0; round < rounds; round++) {
    log(`metrics on vs off, round ${round + 1}/${rounds}`)
    const order = round % 2 ? [offUrl, onUrl] : [onUrl, offUrl]
    const runs = await Promise.all(
      order.map((url) => runLoad(url, connections, seconds).then((run) => checked(url, run))),
    )
    const [first, second] = round % 2 ? [...runs].reverse() : runs
    on.push(first)
    off.push(second)
  }
  const ratios = on.map((run, i) => run.requestsPerSecond / off[i].requestsPerSecond)
  const mean = ratios.reduce((sum, r) => sum + r, 0) / ratios.length
  const variance = ratios.reduce((sum, r) => sum + (r - mean) ** 2, 0) / (ratios.length - 1)
  const spread = (tQuantile(ratios.length - 1) * Math.sqrt(variance)) / Math.sqrt(ratios.length)
  const average = (runs) => runs.reduce((sum, run) => sum + run.requestsPerSecond, 0) / runs.length
  return { ratios, mean, spread, on: average(on), off: average(off), settings }
}

/** How the figures read in a table cell and a note. */
export function describeMetricsCost({ ratios, mean, spread }) {
  return {
    ratio: `${mean.toFixed(3)}× ± ${spread.toFixed(3)}`,
    ratios: ratios.map((r) => r.toFixed(3)).join(', '),
  }
}

async function main() {
  const parent = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()
  const scratch = mkdtempSync(join(parent, 'wfp-bench-metrics-'))
  const watchdog = setTimeout(() => {
    console.error('bench:metrics: still running after 150 s, giving up')
    killChildren()
    process.exit(2)
  }, 150_000)
  watchdog.unref()
  let servers = []
  try {
    const config = join(ROOT, 'wrangler.jsonc')
    const bundle = await buildBundle(config, join(scratch, 'build'), ['--env='])
    servers = await Promise.all([
      startServer(config, bundle, join(scratch, 'on')),
      startServer(config, bundle, join(scratch, 'off'), { vars: { METRICS: 'off' } }),
    ])
    for (const server of servers) {
      await uploadOrThrow(server.url, 'hello', HELLO_SCRIPT)
      await waitForBody(server.url, 'hello', HELLO_BODY)
    }
    const [on, off] = servers.map((server) => `${server.url}/user-workers/hello`)
    const result = await measureMetricsCost(on, off, (message) => console.error(`[bench:metrics] ${message}`))
    const { ratio, ratios } = describeMetricsCost(result)
    console.log(
      `Dispatch with metrics on / off: ${ratio} (mean of ${ratios.split(', ').length} paired ratios, 95 % CI), ` +
        `${Math.round(result.on)} vs ${Math.round(result.off)} req/s on average\nRatios: ${ratios}`,
    )
  } finally {
    clearTimeout(watchdog)
    await Promise.all(servers.map((server) => server.stop()))
    rmSync(scratch, { recursive: true, force: true })
  }
}

if (import.meta.main) await main()
