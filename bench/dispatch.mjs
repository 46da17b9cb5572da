// Dispatch (the hot path) in paired rounds. Each round has three parts:
//   - together: pairs of targets on different servers loaded at the same time (both servers share
//     the server core), e.g. the platform and the sandboxed baseline; the judged throughput ratios
//     come from these, as each side sees the same moments of the machine's load;
//   - alone: targets loaded one after the other (those whose partner runs in the same server, e.g.
//     the baseline and its /sandboxed path, or a worker with and without log capture);
//   - single: unloaded latency at 1 connection, one request at a time to each target in turn.
// Every loaded run also records the CPU time its server used (bench/lib/proc.mjs): requests per
// CPU second is what the throughput would be on a dedicated core, and the other work on this
// shared machine disturbs it far less than wall-clock req/s (2 s runs one after the other varied
// by ±30 % from round to round). The order within each part is reversed every other round.
import { cpuSeconds } from './lib/proc.mjs'
import { runAlternating, runLoad } from './lib/procs.mjs'
import { medianAndInterval } from './lib/stats.mjs'

function checked(url, run) {
  if (run.non2xx || run.errors) throw new Error(`${url}: ${run.non2xx} non-2xx responses, ${run.errors} errors`)
  return run
}

/** One loaded run of a target ({ url, pid, rotate? }) with the CPU time of its server. */
async function loaded(target, connections, seconds) {
  const { url, pid, rotate } = target
  const before = cpuSeconds(pid)
  const run = checked(url, await runLoad(url, connections, seconds, rotate))
  const cpu = before === null ? null : cpuSeconds(pid) - before
  return { ...run, cpuSeconds: cpu, perCpuSecond: cpu ? run.ok / cpu : null }
}

/** Two targets on different servers loaded at once; the CPU of each server is read around both. */
async function together(a, b, connections, seconds) {
  const before = [cpuSeconds(a.pid), cpuSeconds(b.pid)]
  const runs = await Promise.all(
    [a, b].map((target) =>
      runLoad(target.url, connections, seconds, target.rotate).then((run) => checked(target.url, run)),
    ),
  )
  const after = [cpuSeconds(a.pid), cpuSeconds(b.pid)]
  return runs.map((run, i) => {
    const cpu = before[i] === null ? null : after[i] - before[i]
    return { ...run, cpuSeconds: cpu, perCpuSecond: cpu ? run.ok / cpu : null }
  })
}

const reversedOn = (round, list) => (round % 2 ? [...list].reverse() : list)

/**
 * plan: { targets: { key: { url, pid, rotate? } }, together: [[a, b]], alone: [keys], single: [keys] }
 * settings: { connections, warmupSeconds, loadSeconds, singleRequests, rounds }. Returns, in round
 * order: together[`a|b`] = [{ a: run, b: run }], alone[key] = [run], single[key] = [{ p50, p99 }].
 */
export async function measureDispatch(plan, settings, log) {
  const { connections, warmupSeconds, loadSeconds, singleRequests, rounds } = settings
  const { targets } = plan
  const result = {
    together: Object.fromEntries(plan.together.map(([a, b]) => [`${a}|${b}`, []])),
    alone: Object.fromEntries(plan.alone.map((key) => [key, []])),
    single: Object.fromEntries(plan.single.map((key) => [key, []])),
  }
  log(`dispatch warm-up, ${warmupSeconds} s per target`)
  for (const key of Object.keys(targets)) await loaded(targets[key], connections, warmupSeconds)
  for (let round = 0; round < rounds; round++) {
    log(`dispatch round ${round + 1}/${rounds}: pairs loaded together, then alone, then 1 connection`)
    for (const [a, b] of reversedOn(round, plan.together)) {
      const [first, second] = round % 2 ? [b, a] : [a, b]
      const [runFirst, runSecond] = await together(targets[first], targets[second], connections, loadSeconds)
      result.together[`${a}|${b}`].push({ [first]: runFirst, [second]: runSecond })
    }
    for (const key of reversedOn(round, plan.alone)) {
      result.alone[key].push(await loaded(targets[key], connections, loadSeconds))
    }
    const keys = reversedOn(round, plan.single)
    const single = checked(
      '1-connection runs',
      await runAlternating(
        keys.map((key) => targets[key].url),
        singleRequests,
      ),
    )
    keys.forEach((key, i) => result.single[key].push(single.sides[i]))
  }
  return result
}

/**
 * Over the rounds: a's figure ÷ b's (pick: run → number), as median, its interval, min and max.
 * A round where either side has no figure (a run in which the server answered nothing, stalled by
 * other work on the machine, so it used no measurable CPU either) gives no ratio; `rounds` counts
 * the rounds that did.
 */
export function pairedRatio(a, b, pick) {
  const ratios = a.map((run, i) => pick(run) / pick(b[i])).filter((ratio) => Number.isFinite(ratio) && ratio > 0)
  return { ...medianAndInterval(ratios), rounds: ratios.length }
}

/** Over the rounds: a's figure − b's, as median, its interval, min and max. */
export function pairedDifference(a, b, pick) {
  return medianAndInterval(a.map((run, i) => pick(run) - pick(b[i])))
}

/** The runs of one side of a pair loaded together, in round order. */
export const side = (pairs, key) => pairs.map((pair) => pair[key])

/** Mean of a figure over runs. */
export const average = (runs, pick) => runs.reduce((sum, run) => sum + pick(run), 0) / runs.length

/** The best run of a list (other work on the machine only slows a run down). */
export const bestLoaded = (list) => list.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a))
export const bestSingle = (list) => list.reduce((a, b) => (b.p50 < a.p50 ? b : a))
