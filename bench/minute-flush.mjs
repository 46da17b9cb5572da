// What the end of a minute costs a platform with 1,000 busy tenants: each isolate then writes every
// tenant's metrics aggregate (src/metrics/metrics-recorder.ts), and locally the WorkerMetrics
// Durable Objects that take them run on the same core as dispatch. For METRICS=local and =off, a
// fresh platform with 1,000 seeded tenants: one request to each (8 at a time), a wait until 6 s into
// the next minute, then 20 first requests, one at a time, to workers it has not seen; prints their
// times. Not part of `npm run bench` (it waits a minute per side):
//
//   node bench/minute-flush.mjs      (about 3 minutes)
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { storedSeeds } from './cold.mjs'
import { timedGet } from './lib/client.mjs'
import { ROOT, buildBundle, scratchDir, startServer, startWatchdog } from './lib/procs.mjs'
import { seedWorkers } from './seed.mjs'
import { requestEachTenant, tenantSeed } from './tenants.mjs'

const TENANTS = 1_000
const PROBES = 20

async function timeAfterMinute(config, bundle, scratch, metrics) {
  const dir = join(scratch, metrics)
  mkdirSync(dir)
  await seedWorkers(config, dir, 0, [tenantSeed(TENANTS), storedSeeds(PROBES)[0]])
  const server = await startServer(config, bundle, dir, { vars: { METRICS: metrics } })
  try {
    await requestEachTenant(server.url, TENANTS)
    await new Promise((resolve) => setTimeout(resolve, 66_000 - (Date.now() % 60_000)))
    const times = []
    for (let i = 0; i < PROBES; i++) {
      times.push((await timedGet(`${server.url}/user-workers/stored-1000-${i}`)).ms)
    }
    return times
  } finally {
    await server.stop()
  }
}

async function main() {
  const scratch = scratchDir('wfp-bench-minute-')
  const stopWatchdog = startWatchdog('bench:minute-flush', 300_000)
  try {
    const config = join(ROOT, 'wrangler.jsonc')
    const bundle = await buildBundle(config, join(scratch, 'build'), ['--env='])
    for (const metrics of ['local', 'off']) {
      const times = await timeAfterMinute(config, bundle, scratch, metrics)
      console.log(`METRICS=${metrics}: ${times.map((ms) => ms.toFixed(1)).join(' ')} ms`)
    }
  } finally {
    stopWatchdog()
    rmSync(scratch, { recursive: true, force: true })
  }
}

await main()
