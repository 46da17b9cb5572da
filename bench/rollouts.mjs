// Issue #25: a worker in a 10 % gradual rollout against a plain one (same script), on one platform
// server: the rollout adds the visitor's key (here from the client's IP: the load generator keeps no
// cookies, so every response also sets the platform's cookie, the most a rollout costs) and its
// bucket. 16 connections one side after the other (each warmed up first), and 1 connection alternating.
import { uploadOrThrow } from './lib/client.mjs'
import { runAlternating, runLoad } from './lib/procs.mjs'
import { cpuSeconds } from './lib/proc.mjs'

const SCRIPT = (version) => `export default { fetch: () => new Response("hello ${version}") }`
const WARM_UP_SECONDS = 0.3

async function put(base, name, script, token, query = '') {
  const res = await fetch(`${base}/api/workers/${name}${query}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/javascript', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: script,
  })
  if (!res.ok) throw new Error(`upload of ${name}: ${res.status} ${await res.text()}`)
  return res.json()
}

/** A plain worker, and one whose candidate serves 10 % of visitors. */
async function prepare(base) {
  await uploadOrThrow(base, 'rollout-plain', SCRIPT('v1'))
  const { token } = await put(base, 'rollout-bench', SCRIPT('v1'))
  const candidate = await put(base, 'rollout-bench', SCRIPT('v2'), token, '?promote=false')
  const v2 = candidate.deployments.find((deployment) => !deployment.current).workerId
  const res = await fetch(`${base}/api/workers/rollout-bench/rollout`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ deployment: v2, percent: 10 }),
  })
  if (!res.ok) throw new Error(`rollout: ${res.status} ${await res.text()}`)
  return { rollout: `${base}/user-workers/rollout-bench/`, plain: `${base}/user-workers/rollout-plain/` }
}

export async function measureRollout(base, pid, { connections, seconds, rounds, latencyCount }, log) {
  log('rollouts: a worker in a 10 % rollout vs a plain one')
  const targets = await prepare(base)
  const runs = { rollout: [], plain: [] }
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 ? ['plain', 'rollout'] : ['rollout', 'plain']) {
      await runLoad(targets[side], connections, WARM_UP_SECONDS)
      const before = cpuSeconds(pid)
      const run = await runLoad(targets[side], connections, seconds)
      if (run.non2xx || run.errors) throw new Error(`${side}: ${run.non2xx} non-2xx, ${run.errors} errors`)
      const cpu = before === null ? null : cpuSeconds(pid) - before
      runs[side].push({ ...run, cpuSeconds: cpu, perCpuSecond: cpu ? run.ok / cpu : null })
    }
  }
  const latency = await runAlternating([targets.rollout, targets.plain], latencyCount)
  if (latency.non2xx) throw new Error(`rollout latency: ${latency.non2xx} non-2xx`)
  return { runs, latency: { rollout: latency.sides[0], plain: latency.sides[1] } }
}
