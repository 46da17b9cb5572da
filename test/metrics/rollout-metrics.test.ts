import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { platformFor } from '../../src/platform/index'
import type { RolloutReport } from '../../src/metrics/rollout-metrics'
import type { MetricsReport } from '../../src/metrics/metrics'
import { uniqueName, platformIsolate } from '../helpers'

// Per-deployment metrics during a gradual rollout (metrics/rollout-metrics.ts): each side's requests
// are counted apart, in the worker's WorkerMetrics object, and deleted with the worker.

/** A platform isolate of its own (one env object is one Platform): its metrics wait in memory until flushed. */
function isolate() {
  const { call, environment } = platformIsolate()
  const flush = async () => {
    await platformFor(environment).metrics.flush()
    await platformFor(environment).rolloutMetrics.flush()
  }
  return { call, flush }
}

/** v1 answers 200, v2 503: each says which it is. */
const IDENTITY = (version: string, status: number) => `export default {
  fetch: () => new Response("${version}", { status: ${status} }),
};`

async function twoVersions(one: ReturnType<typeof isolate>, name: string) {
  const put = (script: string, headers: Record<string, string> = {}, query = '') =>
    one.call(`/api/workers/${name}${query}`, { method: 'PUT', headers, body: script })
  const first = await (await put(IDENTITY('v1', 200))).json<{ token: string; workerId: string }>()
  const auth = { Authorization: `Bearer ${first.token}` }
  const second = await (
    await put(IDENTITY('v2', 503), auth, '?promote=false')
  ).json<{
    deployments: { workerId: string; current: boolean }[]
  }>()
  const v2 = second.deployments.find((deployment) => !deployment.current)!.workerId
  return { v1: first.workerId, v2, auth }
}

const deploymentRows = (name: string, workerId: string) =>
  runInDurableObject(env.WORKER_METRICS.getByName(name), (instance) => instance.readDeployment(workerId, 0))

describe('per-deployment metrics during a rollout', () => {
  it('counts each side apart: at 50 %, the sides add up to every request and match who answered', async () => {
    const one = isolate()
    const name = uniqueName('rollout-metrics')
    const { v1, v2, auth } = await twoVersions(one, name)
    // Requests before the rollout are no side's.
    expect((await one.call(`/user-workers/${name}/`)).status).toBe(200)
    const started = await one.call(`/api/workers/${name}/rollout`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ deployment: v2, percent: 50 }),
    })
    expect(started.status).toBe(200)

    const N = 60
    const answers = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const res = await one.call(`/user-workers/${name}/`, { headers: { Cookie: `wfp_visitor=side-${i}` } })
        return res.text()
      }),
    )
    const onV2 = answers.filter((answer) => answer === 'v2').length
    expect(answers.filter((answer) => answer === 'v1').length).toBe(N - onV2)
    // Both sides answered (60 keys at 50 %: never all on one side for these keys).
    expect(onV2).toBeGreaterThan(0)
    expect(onV2).toBeLessThan(N)

    const read = async (from: ReturnType<typeof isolate>) => {
      const res = await from.call(`/api/workers/${name}/rollout`)
      expect(res.status).toBe(200)
      return res.json<RolloutReport & { name: string }>()
    }
    // The isolate that served shows what it holds; after a flush, any isolate reads it stored.
    for (const report of [await read(one), await one.flush().then(() => read(isolate()))]) {
      expect(report).toMatchObject({ name, rollout: { candidate: v2, percent: 50 } })
      expect(report.current).toMatchObject({ workerId: v1, label: 'v1', percent: 50 })
      expect(report.candidate).toMatchObject({ workerId: v2, label: 'v2', percent: 50 })
      expect(report.current.metrics!.totals).toMatchObject({ requests: N - onV2, errors: 0 })
      expect(report.candidate.metrics!.totals).toMatchObject({ requests: onV2, errors: onV2 })
      expect(report.candidate.metrics!.totals.p50Ms).toEqual(expect.any(Number))
      expect(report.candidate.metrics!.minutes.length).toBeGreaterThan(0)
    }
    // The worker's own metrics still count every request, the one before the rollout too.
    const worker = await (await isolate().call(`/api/workers/${name}/metrics`)).json<MetricsReport>()
    expect(worker.totals.requests).toBe(N + 1)

    // Stored in the worker's object, and deleted with the worker.
    expect((await deploymentRows(name, v2)).length).toBeGreaterThan(0)
    const removed = await one.call(`/api/workers/${name}`, { method: 'DELETE', headers: auth })
    expect(removed.status).toBe(200)
    expect(await deploymentRows(name, v1)).toEqual([])
    expect(await deploymentRows(name, v2)).toEqual([])
  })

  it('records nothing by deployment for a worker without a rollout, and answers rollout: null', async () => {
    const one = isolate()
    const name = uniqueName('no-rollout')
    const { v1, v2, auth } = await twoVersions(one, name)
    for (let i = 0; i < 5; i++) await one.call(`/user-workers/${name}/`, { headers: { Cookie: `wfp_visitor=k${i}` } })
    // A rollout, then its abort: what is served after it is no side's either.
    const rollout = { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' } }
    await one.call(`/api/workers/${name}/rollout`, {
      ...rollout,
      body: JSON.stringify({ deployment: v2, percent: 10 }),
    })
    await one.call(`/api/workers/${name}/rollout`, { method: 'DELETE', headers: auth })
    for (let i = 0; i < 5; i++) await one.call(`/user-workers/${name}/`, { headers: { Cookie: `wfp_visitor=k${i}` } })
    await one.flush()
    expect(await deploymentRows(name, v1)).toEqual([])
    expect(await deploymentRows(name, v2)).toEqual([])
    expect(await (await one.call(`/api/workers/${name}/rollout`)).json()).toEqual({ name, rollout: null })
  })
})
