// Dispatch (the hot path): load runs against each target in paired rounds. In every round each
// target gets one loaded run (`connections`) and, if it has `single`, one run at 1 connection,
// one target after the other, the order reversed every other round; so each round gives a ratio
// between any two targets measured within seconds of each other, and the spread of those ratios
// over the rounds tells how far the figure can be trusted (bench/lib/stats.mjs meanAndSpread).
// Each run also records the CPU time its server used (bench/lib/proc.mjs), so throughput can be
// compared as requests per CPU second too: on this shared machine, wall-clock req/s of 2-second
// runs varied by ±30 % from round to round, CPU per request far less.
import { cpuSeconds } from './lib/proc.mjs'
import { runLoad } from './lib/procs.mjs'
import { meanAndSpread } from './lib/stats.mjs'

function checked(url, run) {
  if (run.non2xx || run.errors) throw new Error(`${url}: ${run.non2xx} non-2xx responses, ${run.errors} errors`)
  return run
}

/**
 * targets: { key: { url, pid, single?: boolean, rotate?: n } } (pid: the server's, for its CPU time); settings: { connections, warmupSeconds,
 * loadSeconds, singleSeconds, rounds }. Returns per key { loaded: [runs], single: [runs] }, runs in
 * round order.
 */
export async function measureDispatch(targets, settings, log) {
  const { connections, warmupSeconds, loadSeconds, singleSeconds, rounds } = settings
  const keys = Object.keys(targets)
  const runs = Object.fromEntries(keys.map((key) => [key, { loaded: [], single: [] }]))
  const load = async (key, conns, seconds) => {
    const { url, pid, rotate } = targets[key]
    const before = pid ? cpuSeconds(pid) : null
    const run = checked(url, await runLoad(url, conns, seconds, rotate))
    const cpu = before === null ? null : cpuSeconds(pid) - before
    return { ...run, cpuSeconds: cpu, perCpuSecond: cpu ? run.ok / cpu : null }
  }
  log(`dispatch warm-up, ${warmupSeconds} s per target`)
  for (const key of keys) await load(key, connections, warmupSeconds)
  for (let round = 0; round < rounds; round++) {
    log(`dispatch round ${round + 1}/${rounds}: ${connections} connections, then 1 connection`)
    const order = round % 2 ? [...keys].reverse() : keys
    for (const key of order) runs[key].loaded.push(await load(key, connections, loadSeconds))
    for (const key of order) if (targets[key].single) runs[key].single.push(await load(key, 1, singleSeconds))
  }
  return runs
}

/** Over the rounds: a's figure ÷ b's (pick: run → number), as mean ± 95 % CI, min and max. */
export function pairedRatio(a, b, pick) {
  return meanAndSpread(a.map((run, i) => pick(run) / pick(b[i])))
}

/** Over the rounds: a's figure − b's, as mean ± 95 % CI, min and max. */
export function pairedDifference(a, b, pick) {
  return meanAndSpread(a.map((run, i) => pick(run) - pick(b[i])))
}

/** The best run of a list (other work on the machine only slows a run down). */
export const bestLoaded = (list) => list.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a))
export const bestSingle = (list) => list.reduce((a, b) => (b.p50 < a.p50 ? b : a))
