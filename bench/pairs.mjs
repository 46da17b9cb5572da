// Two targets on one platform server, compared (bench/domains.mjs, bench/rollouts.mjs): `rounds` of
// both one after the other at `connections` (the order alternating, each warmed up first, each run
// with the server's CPU time), then `latencyCount` requests each at one connection, alternating.
import { runAlternating, runLoad } from './lib/procs.mjs'
import { cpuSeconds } from './lib/proc.mjs'

// Unmeasured first: without it the side run second in a round measured ~15 % faster either way.
const WARM_UP_SECONDS = 0.3

/** `targets`: { [side]: url } with two sides; resolves { runs: { [side]: run[] }, latency: { [side]: stats } }. */
export async function comparePair(targets, pid, { connections, seconds, rounds, latencyCount }) {
  const sides = Object.keys(targets)
  const runs = Object.fromEntries(sides.map((side) => [side, []]))
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 ? [...sides].reverse() : sides) {
      await runLoad(targets[side], connections, WARM_UP_SECONDS)
      const before = cpuSeconds(pid)
      const run = await runLoad(targets[side], connections, seconds)
      if (run.non2xx || run.errors) {
        throw new Error(`${side}: ${run.non2xx} non-2xx (${JSON.stringify(run.statuses ?? {})}), ${run.errors} errors`)
      }
      const cpu = before === null ? null : cpuSeconds(pid) - before
      runs[side].push({ ...run, cpuSeconds: cpu, perCpuSecond: cpu ? run.ok / cpu : null })
    }
  }
  const latency = await runAlternating(
    sides.map((side) => targets[side]),
    latencyCount,
  )
  if (latency.non2xx) throw new Error(`${sides.join(' vs ')} latency: ${latency.non2xx} non-2xx`)
  return { runs, latency: Object.fromEntries(sides.map((side, i) => [side, latency.sides[i]])) }
}
