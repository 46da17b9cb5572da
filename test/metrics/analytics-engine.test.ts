import { describe, expect, it } from 'vitest'
import { PlatformError } from '../../src/core/errors'
import { BUCKETS, bucketOf, reportOf } from '../../src/metrics/metrics'
import { metered } from '../../src/metrics/metrics-recorder'
import { AnalyticsEngineMetrics } from '../../src/metrics/analytics-engine'
import { deploymentKey } from '../../src/metrics/rollout-metrics'
import { AnalyticsEngineDouble } from '../doubles/analytics-engine'
import { CLOUDFLARE_DOUBLE } from '../doubles/constants'

/** A worker of one owner generation (generation.ts). */
const worker = (name: string) => ({ name, ownerId: 'o-test' })

const API = {
  baseUrl: CLOUDFLARE_DOUBLE.baseUrl,
  accountId: CLOUDFLARE_DOUBLE.accountId,
  apiToken: CLOUDFLARE_DOUBLE.token,
  namespace: CLOUDFLARE_DOUBLE.namespace,
}
const T0 = Date.UTC(2026, 11, 1, 10, 0, 5)

function setup() {
  const double = new AnalyticsEngineDouble()
  double.now = () => T0
  return { double, metrics: new AnalyticsEngineMetrics(double.dataset, API, double.fetch) }
}

describe('metrics in Workers Analytics Engine (METRICS=analytics-engine)', () => {
  it('writes one data point per request: the name as index, its bucket and whether it failed', () => {
    const { double, metrics } = setup()
    metrics.record(worker('hello'), 200, 3)
    metrics.record(worker('hello'), 503, 40)
    metrics.record(worker('hello'), null, 40)
    expect(double.points).toEqual([
      { at: T0, index: 'hello', owner: 'o-test', doubles: [bucketOf(3), 0] },
      { at: T0, index: 'hello', owner: 'o-test', doubles: [bucketOf(40), 1] },
      { at: T0, index: 'hello', owner: 'o-test', doubles: [bucketOf(40), 1] },
    ])
    // Nothing is read or written through the API on the hot path.
    expect(double.queries).toEqual([])
  })

  it('reads minutes back through the SQL API as mergeable histograms, with the API token', async () => {
    const { double, metrics } = setup()
    for (const [ms, status] of [
      [3, 200],
      [3, 200],
      [40, 500],
    ] as const) {
      metrics.record(worker('hello'), status, ms)
    }
    double.now = () => T0 + 60_000
    metrics.record(worker('hello'), 200, 3)
    metrics.record(worker('other'), 200, 3)
    const rows = await metrics.read(worker('hello'), 0)
    expect(rows.map(({ at, requests, errors }) => ({ at, requests, errors }))).toEqual([
      { at: Date.UTC(2026, 11, 1, 10, 0), requests: 3, errors: 1 },
      { at: Date.UTC(2026, 11, 1, 10, 1), requests: 1, errors: 0 },
    ])
    expect(rows[0]!.histogram).toHaveLength(BUCKETS)
    expect(rows[0]!.histogram[bucketOf(3)]).toBe(2)
    expect(rows[0]!.histogram[bucketOf(40)]).toBe(1)
    const report = reportOf('hello', rows, 0, T0 + 120_000)
    expect(report.totals).toMatchObject({ requests: 4, errors: 1 })

    const [sent] = double.queries
    expect(sent).toMatchObject({
      url: `${CLOUDFLARE_DOUBLE.baseUrl}/accounts/${CLOUDFLARE_DOUBLE.accountId}/analytics_engine/sql`,
      authorization: `Bearer ${CLOUDFLARE_DOUBLE.token}`,
    })
    expect(sent!.query).toContain("WHERE index1 = 'hello'")
    // Minutes before `from` (the worker's creation, or 24 h ago) are left out.
    expect(await metrics.read(worker('hello'), Date.UTC(2026, 11, 1, 10, 1))).toHaveLength(1)
  })

  it('counts sampled data points by their sample interval', async () => {
    const { double, metrics } = setup()
    double.sampleInterval = 10
    metrics.record(worker('busy'), 200, 3)
    metrics.record(worker('busy'), 502, 3)
    const [row] = await metrics.read(worker('busy'), 0)
    expect(row).toMatchObject({ requests: 20, errors: 10 })
    expect(row!.histogram[bucketOf(3)]).toBe(20)
  })

  it('meters a fetcher like the local store does, exceptions included', async () => {
    const { double, metrics } = setup()
    const throwing = { fetch: () => Promise.reject(new Error('user code threw')) }
    await expect(
      metered(throwing, worker('hello'), metrics, undefined).fetch(new Request('http://x/')),
    ).rejects.toThrow()
    expect(double.points).toEqual([{ at: T0, index: 'hello', owner: 'o-test', doubles: [expect.any(Number), 1] }])
  })

  it('reports a failing SQL API as a Cloudflare API error, without the token', async () => {
    const double = new AnalyticsEngineDouble()
    const metrics = new AnalyticsEngineMetrics(double.dataset, { ...API, apiToken: 'wrong-token' }, double.fetch)
    const error = await metrics.read(worker('hello'), 0).catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(PlatformError)
    expect(error).toMatchObject({ code: 'cloudflare_api_error', message: 'The Analytics Engine SQL API answered 401.' })
  })

  it('reads numbers the SQL API quotes, and reports an answer off its shape as a Cloudflare API error naming what', async () => {
    const answering = (body: unknown) =>
      new AnalyticsEngineMetrics(new AnalyticsEngineDouble().dataset, API, () => Promise.resolve(Response.json(body)))
    const row = { minute: String(T0 / 60_000), bucket: 1, requests: '3', errors: 1 }
    expect(await answering({ data: [row] }).read(worker('hello'), 0)).toMatchObject([{ requests: 3, errors: 1 }])
    for (const [body, where] of [
      [{ rows: 0 }, 'data:'],
      [{ data: [{ ...row, requests: 'many' }] }, 'data.0.requests:'],
      [{ data: [{ ...row, minute: null }] }, 'data.0.minute:'],
    ] as const) {
      const error = await answering(body)
        .read(worker('hello'), 0)
        .catch((thrown: unknown) => thrown)
      expect(error).toBeInstanceOf(PlatformError)
      expect(error).toMatchObject({
        code: 'cloudflare_api_error',
        message: expect.stringContaining(
          `The Analytics Engine SQL API's answer is off its documented shape: ${where}`,
        ) as string,
      })
    }
  })

  it('never puts anything but a valid worker name into the query', async () => {
    const { double, metrics } = setup()
    expect(await metrics.read(worker("x' OR 1=1 --"), 0)).toEqual([])
    expect(double.queries).toEqual([])
  })

  it('counts a deployment during a rollout under its key, and puts only a valid key into the query', async () => {
    const { double, metrics } = setup()
    const key = deploymentKey('hello', 'w-mxdv1234-0123456789abcdef0123')
    metrics.record(worker(key), 200, 3)
    metrics.record(worker('hello'), 200, 3)
    expect(double.points.map((point) => point.index)).toEqual([key, 'hello'])
    expect((await metrics.read(worker(key), 0)).map((row) => row.requests)).toEqual([1])
    expect(await metrics.read(worker("hello@w-1' OR 1=1 --"), 0)).toEqual([])
    expect(double.queries).toHaveLength(1)
  })

  it('keeps nothing to forget or flush: deleted workers are hidden by starting reads at creation', async () => {
    const { metrics } = setup()
    await expect(metrics.forget()).resolves.toBeUndefined()
    await expect(metrics.flush()).resolves.toBeUndefined()
  })
})
