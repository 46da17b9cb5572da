// Listing (issue #14): GET / (the home page, which lists the workers) on the platform with 10
// registered workers and on the one with 10,000, alternating one request on each, so both sides
// see the same moments of the machine's load.
import { timedGet } from './lib/client.mjs'
import { summarize } from './lib/stats.mjs'

/** `count` GETs of / on each server after `warmup` each: { small, large } p50/p99 (ms). */
export async function measureListing(smallUrl, largeUrl, count, warmup = 10) {
  const times = { small: [], large: [] }
  for (let i = 0; i < warmup + count; i++) {
    const sides = [
      ['small', smallUrl],
      ['large', largeUrl],
    ]
    for (const [key, url] of i % 2 ? sides.reverse() : sides) {
      const { ms, status } = await timedGet(`${url}/`)
      if (status !== 200) throw new Error(`GET ${url}/ answered ${status}`)
      if (i >= warmup) times[key].push(ms)
    }
  }
  return { small: summarize(times.small), large: summarize(times.large) }
}
