// Cold tenant (issue #14): the first request to a freshly deployed worker, whose isolate is not
// loaded yet, against the bare Worker Loader baseline loading the same code under a new ID from
// memory (bench/baseline/worker.js, "/cold/<bytes>/<id>"). For each bundle size, `tenants` workers
// are deployed through the API first (untimed); then the first request of each is timed, each
// paired with one baseline request under a new ID, the side that goes first alternating.
import { randomUUID } from 'node:crypto'
import { timedGet, uploadAll } from './lib/client.mjs'
import { summarize } from './lib/stats.mjs'
import { COLD_SIZES, coldBody, coldScript } from './user-script.mjs'

const nameOf = (size, i) => `cold-${size.bytes}-${i}`

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

/** First-request times (ms) per size: { size, platform, baseline } with p50/p99 and the samples. */
export async function measureCold(platformUrl, baselineUrl, tenants, log) {
  const run = randomUUID().slice(0, 8)
  const results = []
  for (const size of COLD_SIZES) {
    log(`cold tenants, ${size.label}: ${tenants} first requests each side`)
    const body = coldBody(size.bytes)
    const platform = []
    const baseline = []
    const wired = []
    for (let i = 0; i < tenants; i++) {
      const sides = [
        [`${platformUrl}/user-workers/${nameOf(size, i)}`, platform],
        [`${baselineUrl}/cold/${size.bytes}/${run}-${i}`, baseline],
        [`${baselineUrl}/cold-wired/${size.bytes}/${run}-${i}`, wired],
      ]
      for (const [url, samples] of i % 2 ? sides.reverse() : sides) {
        const response = await timedGet(url)
        expect(url, response, body)
        samples.push(response.ms)
      }
    }
    results.push({
      size,
      platform: summarize(platform),
      baseline: summarize(baseline),
      wired: summarize(wired),
      samples: { platform, baseline, wired },
      codeRead: await measureCodeRead(baselineUrl, size.bytes, tenants),
    })
  }
  return results
}

/**
 * The part of a cold start the platform cannot skip: one KV read of the stored code (what the
 * bare baseline holds in memory). Timed on the baseline as "/read/<bytes>" against "/read/0" (the
 * request alone), alternating, `count` each after a warm-up; the median difference is the read.
 */
async function measureCodeRead(baselineUrl, bytes, count) {
  const empty = `${baselineUrl}/read/0`
  const full = `${baselineUrl}/read/${bytes}`
  for (const url of [empty, full, empty, full]) await timedGet(url)
  const differences = []
  for (let i = 0; i < count; i++) {
    const a = await timedGet(empty)
    const b = await timedGet(full)
    differences.push(b.ms - a.ms)
  }
  return summarize(differences)
}
