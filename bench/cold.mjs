// Cold tenant (issue #14): the first request to a worker whose isolate is not loaded, against the
// bare Worker Loader loading the same code under a new ID (bench/baseline/worker.js), for two cases:
//   - after a deploy: `tenants` workers per bundle size deployed through the API to the 10-worker
//     platform first (untimed), then the first request of each, with "/cold/<bytes>/<id>" (code
//     held in memory) and "/cold-wired/…" (the same with the platform's gate, tail and limits);
//   - from storage: `tenants` workers per size seeded into the 10,000-worker platform's KV
//     (storedSeeds), never deployed or requested through it, as after an eviction or in an isolate
//     that did not deploy them, with "/cold-stored/…", the bare loader reading the same code from
//     KV in its callback: the floor for any platform that keeps code in KV.
// The side that goes first turns with every tenant, and each request starts GAP_MS after the one
// before ended: all servers share one core, and a pause lets what a request leaves running there
// after its response (a tail's delivery, background work) finish before the next side's request.
//
// Used by bench/run.mjs (rows of `npm run bench`, late in a long run, beside servers that have
// served the load rounds); `node bench/cold.mjs [tenants]` runs it alone on fresh servers — one
// platform, one baseline, nothing else loaded — and prints the figures (about a minute).
import { randomUUID } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { timedGet, uploadAll } from './lib/client.mjs'
import { BENCH_DIR, ROOT, buildBundle, scratchDir, startServer, startWatchdog } from './lib/procs.mjs'
import { seedWorkers } from './seed.mjs'
import { summarize } from './lib/stats.mjs'
import { COLD_SIZES, coldBody, coldScript } from './user-script.mjs'

export const GAP_MS = 5
const settle = () => new Promise((resolve) => setTimeout(resolve, GAP_MS))

const nameOf = (size, i) => `cold-${size.bytes}-${i}`
const storedPrefix = (size) => `stored-${size.bytes}`

/** The seed groups (bench/seed.mjs seedWorkers `more`) of the cold starts from storage. */
export const storedSeeds = (tenants) =>
  COLD_SIZES.map((size) => ({ count: tenants, prefix: storedPrefix(size), script: () => coldScript(size.bytes) }))

function expect(url, { status, text }, body) {
  if (status !== 200 || text !== body) throw new Error(`${url}: ${status} "${text.slice(0, 200)}", not "${body}"`)
}

/** Deploys `tenants` workers of every size (untimed): nothing has requested them yet. */
export async function deployColdTenants(platformUrl, tenants) {
  for (const size of COLD_SIZES) {
    const body = coldScript(size.bytes)
    await uploadAll(
      platformUrl,
      Array.from({ length: tenants }, (_, i) => ({ name: nameOf(size, i), body })),
      4,
    )
  }
}

/** One first request per tenant to each side, the order turning; returns the samples per side. */
async function firstRequests(tenants, sides, body) {
  const samples = sides.map(() => [])
  for (let i = 0; i < tenants; i++) {
    const order = sides.map((_, k) => (i + k) % sides.length)
    for (const k of order) {
      const url = sides[k](i)
      const response = await timedGet(url)
      expect(url, response, body)
      samples[k].push(response.ms)
      await settle()
    }
  }
  return samples.map(summarize)
}

/**
 * First-request times (ms) per size: after a deploy { platform, baseline, wired }, from storage
 * { stored, floor }, each with p50/p99. `urls`: { deployed, stored } (platforms), baseline.
 */
export async function measureCold(urls, tenants, log) {
  const run = randomUUID().slice(0, 8)
  const results = []
  for (const size of COLD_SIZES) {
    const body = coldBody(size.bytes)
    log(`cold tenants, ${size.label}: ${tenants} first requests after a deploy, each side`)
    const [platform, baseline, wired] = await firstRequests(
      tenants,
      [
        (i) => `${urls.deployed}/user-workers/${nameOf(size, i)}`,
        (i) => `${urls.baseline}/cold/${size.bytes}/${run}-${i}`,
        (i) => `${urls.baseline}/cold-wired/${size.bytes}/${run}-${i}`,
      ],
      body,
    )
    log(`cold tenants, ${size.label}: ${tenants} first requests from storage, each side`)
    // Writes the floor's copy of the code into the baseline's KV (its first use).
    expect('floor', await timedGet(`${urls.baseline}/cold-stored/${size.bytes}/${run}-warm-up`), body)
    const [stored, floor] = await firstRequests(
      tenants,
      [
        (i) => `${urls.stored}/user-workers/${storedPrefix(size)}-${i}`,
        (i) => `${urls.baseline}/cold-stored/${size.bytes}/${run}-${i}`,
      ],
      body,
    )
    results.push({ size, platform, baseline, wired, stored, floor })
  }
  return results
}

async function main() {
  const tenants = Number(process.argv[2] ?? 100)
  const scratch = scratchDir('wfp-bench-cold-')
  const stopWatchdog = startWatchdog('bench:cold', 240_000)
  const log = (message) => console.error(`[bench:cold] ${message}`)
  let servers = []
  try {
    const platformConfig = join(ROOT, 'wrangler.jsonc')
    const baselineConfig = join(BENCH_DIR, 'baseline', 'wrangler.jsonc')
    const [platformDir, baselineDir] = [join(scratch, 'platform'), join(scratch, 'baseline')]
    for (const dir of [platformDir, baselineDir]) mkdirSync(dir)
    log(`building, and seeding ${tenants} workers per size to start from storage`)
    const [platformBundle, baselineBundle] = await Promise.all([
      buildBundle(platformConfig, join(scratch, 'build-platform'), ['--env=']),
      buildBundle(baselineConfig, join(scratch, 'build-baseline')),
      seedWorkers(platformConfig, platformDir, 0, storedSeeds(tenants)),
    ])
    servers = await Promise.all([
      startServer(platformConfig, platformBundle, platformDir),
      startServer(baselineConfig, baselineBundle, baselineDir),
    ])
    const [platform, baseline] = servers
    log(`deploying ${tenants} workers per size (untimed)`)
    await deployColdTenants(platform.url, tenants)
    const results = await measureCold(
      { deployed: platform.url, stored: platform.url, baseline: baseline.url },
      tenants,
      log,
    )
    const figure = (a, b) =>
      `${a.p50.toFixed(2)} vs ${b.p50.toFixed(2)} ms p50 (${(a.p50 / b.p50).toFixed(3)}×), p99 ${(a.p99 / b.p99).toFixed(2)}×`
    for (const { size, platform: deployed, baseline: bare, wired, stored, floor } of results) {
      console.log(
        `${size.label}, ${tenants} tenants, fresh servers:\n` +
          `  after a deploy / bare loader (code in memory): ${figure(deployed, bare)}\n` +
          `  bare loader with the platform's wiring / bare: ${figure(wired, bare)}\n` +
          `  floor, the bare loader reading the code from KV / bare: ${figure(floor, bare)}\n` +
          `  from storage / that floor: ${figure(stored, floor)}`,
      )
    }
  } finally {
    stopWatchdog()
    await Promise.all(servers.map((server) => server.stop()))
    rmSync(scratch, { recursive: true, force: true })
  }
}

if (import.meta.main) await main()
