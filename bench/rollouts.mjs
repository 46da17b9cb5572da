// Issue #25: a worker in a 10 % gradual rollout against a plain one (same script), on one platform
// server: the rollout adds the visitor's key (here from the client's IP: the load generator keeps no
// cookies, so every response also sets the platform's cookie, the most a rollout costs), its
// bucket and a second count of each request by deployment (metrics/rollout-metrics.ts)
// (bench/pairs.mjs); and a worker with a daily budget against the same plain one.
import { uploadOrThrow } from './lib/client.mjs'
import { comparePair } from './pairs.mjs'

const SCRIPT = (version) => `export default { fetch: () => new Response("hello ${version}") }`

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

export async function measureRollout(base, pid, settings, log) {
  log('rollouts: a worker in a 10 % rollout vs a plain one')
  const { rollout, plain } = await prepare(base)
  return comparePair({ rollout, plain }, pid, settings)
}

/**
 * Issue #25: a worker with a daily budget against the same plain worker: the budget's cost is an
 * allowance taken in memory per request and a lease from the worker's object per block (1,000 here).
 */
export async function measureBudget(base, pid, settings, adminToken, log) {
  log('budgets: a worker with a daily budget vs a plain one')
  await uploadOrThrow(base, 'budget-bench', SCRIPT('v1'))
  const res = await fetch(`${base}/api/admin/workers/budget-bench/budget`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ requestsPerDay: 1_000_000_000 }),
  })
  if (!res.ok) throw new Error(`budget: ${res.status} ${await res.text()}`)
  return comparePair(
    { budget: `${base}/user-workers/budget-bench/`, plain: `${base}/user-workers/rollout-plain/` },
    pid,
    settings,
  )
}
