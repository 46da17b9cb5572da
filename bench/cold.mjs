// Cold tenant (issue #14): the first request to a worker whose isolate is not loaded, against the
// bare Worker Loader loading the same code under a new ID (bench/baseline/worker.js), for two cases:
//   - after a deploy: `tenants` workers per bundle size deployed through the API to the 10-worker
//     platform first (untimed), then the first request of each, with "/cold/<bytes>/<id>" (code
//     held in memory) and "/cold-wired/…" (the same with the platform's gate, tail and limits);
//   - from storage: `tenants` workers per size seeded into the 10,000-worker platform's KV
//     (storedSeeds), never deployed or requested through it, as after an eviction or in an isolate
//     that did not deploy them, with "/cold-stored/…", the bare loader reading the same code from
//     KV in its callback: the floor for any platform that keeps code in KV.
// The side that goes first turns with every tenant, and every request waits for the one before to
// settle (GAP_MS): all servers share one core, and what a request leaves running there after its
// response (a tail's delivery, the platform's background work) must not slow the next one, which
// belongs to another side.
import { randomUUID } from 'node:crypto'
import { timedGet, uploadAll } from './lib/client.mjs'
import { summarize } from './lib/stats.mjs'
import { COLD_SIZES, coldBody, coldScript } from './user-script.mjs'

export const GAP_MS = 10
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
