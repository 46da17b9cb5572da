import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import type { ConfigVars } from '../../src/core/config'
import { platformFor } from '../../src/platform/index'
import type { MetricsReport } from '../../src/metrics/metrics'
import { AnalyticsEngineDouble } from '../doubles/analytics-engine'
import { helloScript, uniqueName, platformIsolate } from '../helpers'
import { callWatchingForTheToken, namespaceEnv } from '../backends/namespace-double'

/**
 * A platform isolate of its own: one env object is one Platform (platformFor caches per
 * env), so its metrics stay in its memory until `flush()`; another client is another isolate.
 */
function isolate(overrides: Partial<Env> & ConfigVars = {}) {
  const { call, environment } = platformIsolate({ ...overrides })
  return {
    call,
    flush: () => platformFor(environment).metrics.flush(),
    deploy: async (name: string, script: string) => {
      const res = await call(`/api/workers/${name}`, { method: 'PUT', body: script })
      expect(res.status).toBe(201)
      return (await res.json<{ token: string }>()).token
    },
    metrics: async (name: string) => {
      const res = await call(`/api/workers/${name}/metrics`)
      expect(res.status).toBe(200)
      return res.json<MetricsReport>()
    },
  }
}

// The namespace suites' calls: every response and log line is checked for the API token (once per file).
const { call } = callWatchingForTheToken(6)

/** 200 for /ok, 503 for /unavailable, an exception for /throw. */
const MIXED_SCRIPT = `export default {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/throw") throw new Error("user code failed");
    return new Response(path, { status: path === "/unavailable" ? 503 : 200 });
  },
};`

describe('per-worker metrics', () => {
  it('counts requests through /user-workers/<name>/… and shows them in the API; a flush stores them', async () => {
    const one = isolate()
    const name = uniqueName('metrics')
    await one.deploy(name, helloScript('hi'))
    for (const path of ['/', '/a', '/b?x=1']) expect((await one.call(`/user-workers/${name}${path}`)).status).toBe(200)

    // This isolate shows what it holds; another isolate sees nothing until it is flushed.
    const report = await one.metrics(name)
    expect(report.name).toBe(name)
    expect(report.totals).toMatchObject({ requests: 3, errors: 0 })
    expect(report.totals.p50Ms).toEqual(expect.any(Number))
    expect(report.minutes).toHaveLength(1)
    expect(report.minutes[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/)
    const other = isolate()
    expect((await other.metrics(name)).totals.requests).toBe(0)

    await one.flush()
    const stored = await other.metrics(name)
    expect(stored.totals).toMatchObject({ requests: 3, errors: 0 })
    expect(Date.parse(stored.to) - Date.parse(stored.from)).toBeLessThanOrEqual(24 * 60 * 60_000)
    // Isolates' minutes add up in the name's object.
    await other.call(`/user-workers/${name}/`)
    await other.flush()
    expect((await isolate().metrics(name)).totals.requests).toBe(4)
  })

  it('counts 5xx responses and exceptions of the user Worker as errors', async () => {
    const one = isolate()
    const name = uniqueName('metrics-errors')
    await one.deploy(name, MIXED_SCRIPT)
    expect((await one.call(`/user-workers/${name}/ok`)).status).toBe(200)
    expect((await one.call(`/user-workers/${name}/unavailable`)).status).toBe(503)
    expect((await one.call(`/user-workers/${name}/throw`)).status).toBe(500)
    await one.flush()
    expect((await isolate().metrics(name)).totals).toMatchObject({ requests: 3, errors: 2 })
  })

  it('counts only what the name serves: a preview link of an old, failing deployment adds nothing', async () => {
    const one = isolate()
    const name = uniqueName('metrics-preview')
    const token = await one.deploy(name, MIXED_SCRIPT)
    const res = await one.call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}` },
      body: helloScript('fixed'),
    })
    expect(res.status).toBe(200)
    const old = (await res.json<{ deployments: { current: boolean; preview: { url: string } }[] }>()).deployments.find(
      (deployment) => !deployment.current,
    )!
    // Anyone may call the old deployment's preview link; its failures are not the worker's.
    for (let i = 0; i < 5; i++) expect((await one.call(`${old.preview.url}/throw`)).status).toBe(500)
    expect((await one.call(`/user-workers/${name}/`)).status).toBe(200)
    await one.flush()
    expect((await isolate().metrics(name)).totals).toMatchObject({ requests: 1, errors: 0 })
  })

  it('does not count requests for unknown workers, and answers 404 for their metrics', async () => {
    const one = isolate()
    expect((await one.call('/user-workers/nobody-metrics/')).status).toBe(404)
    expect((await one.call('/api/workers/nobody-metrics/metrics')).status).toBe(404)
  })

  it('deletes a worker’s metrics with the worker: a re-created name starts empty', async () => {
    const one = isolate()
    const name = uniqueName('metrics-delete')
    const token = await one.deploy(name, helloScript('hi'))
    await one.call(`/user-workers/${name}/`)
    await one.flush()
    expect(await env.WORKER_METRICS.getByName(name).read(0)).toHaveLength(1)

    const deleted = await one.call(`/api/workers/${name}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(deleted.status).toBe(200)
    expect(await env.WORKER_METRICS.getByName(name).read(0)).toEqual([])
    expect((await one.call(`/api/workers/${name}/metrics`)).status).toBe(404)

    await one.deploy(name, helloScript('again'))
    expect((await one.metrics(name)).totals.requests).toBe(0)
  })

  it('draws the chart on the worker page: an SVG image with a title and a description, and the numbers per hour', async () => {
    const one = isolate()
    const name = uniqueName('metrics-page')
    await one.deploy(name, MIXED_SCRIPT)
    await one.call(`/user-workers/${name}/ok`)
    await one.call(`/user-workers/${name}/throw`)
    const html = await (await one.call(`/workers/${name}`)).text()
    expect(html).toContain(
      '<svg viewBox="0 0 640 164" role="img" aria-labelledby="metrics-title" aria-describedby="metrics-desc">',
    )
    expect(html).toContain('<title id="metrics-title">Requests and errors per minute, last hour (UTC)</title>')
    expect(html).toMatch(
      /<desc id="metrics-desc">2 requests and 1 error in the last 24 hours; peak 2 requests per minute at \d\d:\d\d UTC; wall time p50 [\d.]+ ms, p99 [\d.]+ ms\.<\/desc>/,
    )
    expect(html).toMatch(/<th scope="col">Hour \(UTC\)<\/th>[\s\S]*<td>2<\/td><td>1<\/td>/)
    // No script: the chart is drawn on the server.
    expect(html).not.toMatch(/<script(?![^>]*src="\/assets\/)/)
  })

  it('records nothing with METRICS=off: no chart, and the API says metrics are off', async () => {
    const off = isolate({ METRICS: 'off' })
    const name = uniqueName('metrics-off')
    await off.deploy(name, helloScript('hi'))
    await off.call(`/user-workers/${name}/`)
    await off.flush()
    expect(await env.WORKER_METRICS.getByName(name).read(0)).toEqual([])
    expect(await (await off.call(`/workers/${name}`)).text()).not.toContain('metrics-title')
    const res = await off.call(`/api/workers/${name}/metrics`)
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({
      error: { code: 'not_found', message: 'Metrics are off on this platform (METRICS=off).' },
    })
  })

  it('refuses METRICS=analytics-engine without the Cloudflare credentials it reads with', async () => {
    const res = await isolate({ METRICS: 'analytics-engine' }).call('/api/workers')
    expect(res.status).toBe(503)
    expect(await res.text()).toContain(
      'METRICS is \\"analytics-engine\\", which needs CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and the METRICS_DATASET binding.',
    )
  })

  it('refuses an unknown METRICS value with a message naming it', async () => {
    const res = await isolate({ METRICS: 'sometimes' }).call('/api/workers')
    expect(res.status).toBe(503)
    expect(await res.text()).toContain('METRICS must be one of local, analytics-engine, off; got \\"sometimes\\".')
  })
})

describe('per-worker metrics on dispatch-namespace', () => {
  it('counts requests dispatched to namespace scripts the same way, errors included', async () => {
    const name = uniqueName('ns-metrics')
    expect((await call(`/api/workers/${name}`, { method: 'PUT', body: MIXED_SCRIPT })).status).toBe(201)
    expect((await call(`/user-workers/${name}/ok`)).status).toBe(200)
    expect((await call(`/user-workers/${name}/unavailable`)).status).toBe(503)
    expect((await call(`/user-workers/${name}/throw`)).status).toBe(500)
    await platformFor(namespaceEnv).metrics.flush()
    const res = await call(`/api/workers/${name}/metrics`)
    expect((await res.json<MetricsReport>()).totals).toMatchObject({ requests: 3, errors: 2 })
  })
})

describe('per-worker metrics in Workers Analytics Engine', () => {
  it('writes a data point per request to a namespace script and reads them back through the SQL API', async () => {
    const double = new AnalyticsEngineDouble()
    const passThrough = globalThis.fetch
    // The SQL API goes to the double; everything else (the Cloudflare API double) as before.
    const spy = vi
      .spyOn(globalThis, 'fetch')
      .mockImplementation((input, init) =>
        new Request(input, init).url.includes('/analytics_engine/')
          ? double.fetch(input, init)
          : passThrough(input, init),
      )
    try {
      const environment = { ...namespaceEnv, METRICS: 'analytics-engine', METRICS_DATASET: double.dataset }
      const name = uniqueName('ae-metrics')
      expect((await call(`/api/workers/${name}`, { method: 'PUT', body: MIXED_SCRIPT }, environment)).status).toBe(201)
      expect((await call(`/user-workers/${name}/ok`, {}, environment)).status).toBe(200)
      expect((await call(`/user-workers/${name}/throw`, {}, environment)).status).toBe(500)
      expect(double.points.map((point) => [point.index, point.doubles[1]])).toEqual([
        [name, 0],
        [name, 1],
      ])
      const res = await call(`/api/workers/${name}/metrics`, {}, environment)
      expect((await res.json<MetricsReport>()).totals).toMatchObject({ requests: 2, errors: 1 })
      expect(double.queries).toHaveLength(1)
    } finally {
      spy.mockRestore()
    }
  })
})

describe('metrics by tag', () => {
  it("merges the tagged workers' minutes: their requests and errors add up, their quantiles are all requests'", async () => {
    const one = isolate()
    const tag = uniqueName('traffic')
    const names = [uniqueName('tagged-a'), uniqueName('tagged-b')]
    for (const name of names) {
      const res = await one.call(`/api/workers/${name}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ script: MIXED_SCRIPT, tags: [tag] }),
      })
      expect(res.status).toBe(201)
    }
    for (const path of ['ok', 'ok', 'unavailable']) await one.call(`/user-workers/${names[0]}/${path}`)
    for (const path of ['ok', 'throw']) await one.call(`/user-workers/${names[1]}/${path}`)
    await one.flush()
    const res = await one.call(`/api/tags/${tag}/metrics`)
    expect(res.status).toBe(200)
    const report = await res.json<MetricsReport & { tag: string; workers: string[] }>()
    expect(report).toMatchObject({ tag, workers: [...names].sort(), totals: { requests: 5, errors: 2 } })
    const page = await (await one.call(`/?tag=${tag}`)).text()
    expect(page).toContain(`Tagged ${tag}, last 24 hours: 5 requests, 2 errors`)
  })
})

describe('usage export', () => {
  it('lists each worker and day with exact counts that agree with the metrics and with what was served, as JSON and CSV', async () => {
    const one = isolate({ ADMIN_TOKEN: 'admin-token-for-usage-0123456789abcdef01' })
    const signedUp = await one.call('/api/accounts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Usage Co' }),
    })
    const { account, token } = await signedUp.json<{ account: { accountId: string }; token: { value: string } }>()
    const auth = { Authorization: `Bearer ${token.value}` }
    const names = [uniqueName('usage-a'), uniqueName('usage-b')].sort()
    for (const name of names) {
      const res = await one.call(`/api/workers/${name}`, { method: 'PUT', headers: auth, body: MIXED_SCRIPT })
      expect(res.status).toBe(201)
    }
    let served = 0
    let failed = 0
    for (const path of ['ok', 'ok', 'ok', 'unavailable', 'throw']) {
      const status = (await one.call(`/user-workers/${names[0]}/${path}`)).status
      served += 1
      if (status >= 500) failed += 1
    }
    await one.call(`/user-workers/${names[1]}/ok`)
    await one.flush()

    const today = new Date().toISOString().slice(0, 10)
    const json = await (await one.call('/api/usage', { headers: auth })).json<{ usage: Record<string, unknown>[] }>()
    expect(json.usage).toEqual([
      expect.objectContaining({
        date: today,
        account: account.accountId,
        worker: names[0],
        requests: served,
        errors: failed,
      }),
      expect.objectContaining({ date: today, account: account.accountId, worker: names[1], requests: 1, errors: 0 }),
    ])
    const metrics = await one.metrics(names[0]!)
    expect(metrics.totals).toMatchObject({ requests: served, errors: failed })
    expect(json.usage[0]).toMatchObject({ p50Ms: metrics.totals.p50Ms, p99Ms: metrics.totals.p99Ms })

    const csv = await one.call('/api/usage?format=csv', { headers: auth })
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const lines = (await csv.text()).trim().split('\n')
    expect(lines[0]).toBe('date,account,worker,requests,errors,p50_ms,p99_ms,cpu_ms,kv_ops,kv_bytes,sql_ops,sql_bytes')
    expect(lines[1]).toMatch(new RegExp(`^${today},${account.accountId},${names[0]},${served},${failed},`))

    // The owner's own, and the operator's (every worker, a page at a time), agree.
    const owner = await (
      await one.call(`/api/workers/${names[1]}/usage`, { headers: auth })
    ).json<{ usage: unknown[] }>()
    expect(owner.usage).toEqual([expect.objectContaining({ worker: names[1], requests: 1, account: null })])
    const admin = { Authorization: 'Bearer admin-token-for-usage-0123456789abcdef01' }
    const rows: { worker: string; requests: number }[] = []
    let cursor: string | null = null
    do {
      const page: { usage: { worker: string; requests: number }[]; cursor: string | null } = await (
        await one.call(`/api/usage${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: admin })
      ).json()
      rows.push(...page.usage)
      cursor = page.cursor
    } while (cursor)
    expect(rows.find((row) => row.worker === names[0])).toMatchObject({ requests: served })
    // By tag: only the workers with it.
    const tag = uniqueName('billed')
    const taggedName = uniqueName('usage-tagged')
    await one.call(`/api/workers/${taggedName}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: MIXED_SCRIPT, tags: [tag] }),
    })
    for (let i = 0; i < 2; i++) await one.call(`/user-workers/${taggedName}/ok`)
    await one.flush()
    const tagged = await (await one.call(`/api/usage?tag=${tag}`, { headers: admin })).json()
    expect(tagged).toEqual({ usage: [expect.objectContaining({ worker: taggedName, requests: 2 })], cursor: null })
    expect((await one.call('/api/usage')).status).toBe(401)
  })
})
