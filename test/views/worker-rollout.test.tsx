import { describe, expect, it } from 'vitest'
import type { Deployment, WorkerRecord } from '../../src/core/model'
import { METRICS_WINDOW_MS, MINUTE_MS, emptyMinute, recordRequest, reportOf } from '../../src/metrics/metrics'
import type { RolloutReport } from '../../src/metrics/rollout-metrics'
import { WorkerRollout } from '../../src/views/worker-rollout'

// The worker page's rollout section (views/worker-rollout.tsx), rendered on its own.

const NOW = Date.parse('2026-05-04T12:34:56.000Z')

const deployment = (workerId: string, label: string, sequence: number) =>
  ({ workerId, label, sequence, createdAt: '2026-05-01T00:00:00.000Z', size: 1, sha256: 'x' }) as Deployment

const record = {
  name: 'shop',
  workerId: 'w-1',
  deployments: [deployment('w-2', 'v2', 2), deployment('w-1', 'v1', 1), deployment('w-0', 'v0', 0)],
} as WorkerRecord

function side(workerId: string, label: string, percent: number, requests: number | null, from: number) {
  const minute = emptyMinute()
  for (let i = 0; i < (requests ?? 0); i++) recordRequest(minute, 200, 5)
  const at = NOW - (NOW % MINUTE_MS) - 5 * MINUTE_MS
  const metrics = requests === null ? null : reportOf('shop', [{ at, ...minute }], from, NOW)
  return { workerId, label, percent, metrics }
}

function report(startedAt: string, counts: [number | null, number | null]): RolloutReport {
  const from = Math.max(Date.parse(startedAt) - (Date.parse(startedAt) % MINUTE_MS), NOW - METRICS_WINDOW_MS)
  return {
    rollout: { candidate: 'w-2', percent: 30, startedAt },
    current: side('w-1', 'v1', 70, counts[0], from),
    candidate: side('w-2', 'v2', 30, counts[1], from),
  }
}

async function render(props: Parameters<typeof WorkerRollout>[0]) {
  return String(await Promise.resolve(<WorkerRollout {...props} />))
}

describe('the rollout section', () => {
  it('lists every retained deployment but the serving one, newer and older, and no section without any', async () => {
    const html = await render({ record, report: undefined, tokenless: true })
    expect(html).toContain('<option value="w-2" selected="">v2 (w-2, newer)</option>')
    expect(html).toContain('<option value="w-0">v0 (w-0, older)</option>')
    expect(html).not.toContain('value="w-1"')
    // Signed in: no token field.
    expect(html).not.toContain('name="token"')
    const alone = { ...record, deployments: record.deployments.slice(1, 2) }
    expect(await render({ record: alone, report: undefined, tokenless: false })).toBe('')
  })

  it('shows both sides next to each other, since the rollout started or for its last 24 hours', async () => {
    const recent = await render({ record, report: report('2026-05-04T12:00:30.000Z', [7, 3]), tokenless: false })
    expect(recent).toContain('Since the rollout started, <time datetime="2026-05-04T12:00:30.000Z">')
    expect(recent).toMatch(/Requests<\/th><td>7<\/td><td>3<\/td>/)
    expect(recent).toMatch(/Share of visitors<\/th><td>70 %<\/td><td>30 %<\/td>/)
    const old = await render({ record, report: report('2026-05-01T08:00:00.000Z', [1, 1]), tokenless: false })
    expect(old).toContain('The last 24 hours of the rollout, since <time datetime="2026-05-03T12:34:56.000Z">')
    // Metrics off: the rollout without numbers.
    const off = await render({ record, report: report('2026-05-04T12:00:30.000Z', [null, null]), tokenless: false })
    expect(off).toMatch(/Requests<\/th><td>—<\/td><td>—<\/td>/)
    expect(off).not.toContain('Per minute')
  })
})
