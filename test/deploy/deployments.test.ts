import { describe, expect, it } from 'vitest'
import { RETAINED_DEPLOYMENTS, withDeployment, withCurrent } from '../../src/deploy/deployments'
import { LOG_WATCH_MS } from '../../src/logs/logs'
import type { Deployment, WorkerRecord } from '../../src/core/model'

const GRACE = { graceMs: 120_000, captureMs: LOG_WATCH_MS }
const T0 = Date.parse('2026-11-22T10:00:00Z')
const base = { name: 'app', ownerId: 'o-1', backend: 'dynamic-workers' } as const

const deployment = (n: number, at: number): Deployment => ({
  workerId: `w-${n}`,
  sequence: n,
  createdAt: new Date(at).toISOString(),
  size: 10,
  sha256: 'x',
  label: `v${n}`,
})

function deployMany(count: number, stepMs: number): { record: WorkerRecord; expired: string[][] } {
  let record: WorkerRecord | null = null
  const expired: string[][] = []
  for (let n = 1; n <= count; n++) {
    const at = T0 + n * stepMs
    const next = withDeployment(record, base, deployment(n, at), GRACE, at)
    record = next.record
    expired.push(next.expired)
  }
  return { record: record!, expired }
}

describe('deployment history', () => {
  it('keeps the newest 10, newest first, the new one current', () => {
    const { record } = deployMany(12, 1000)
    expect(record.deployments.map((d) => d.workerId)).toEqual(
      Array.from({ length: RETAINED_DEPLOYMENTS }, (_, i) => `w-${12 - i}`),
    )
    expect(record.workerId).toBe('w-12')
    expect(record.retired.map((r) => r.workerId)).toEqual(['w-1', 'w-2'])
  })

  it('a candidate joins the history without changing what the name serves', () => {
    const { record } = deployMany(2, 1000)
    const at = T0 + 3000
    const { record: next } = withDeployment(record, base, deployment(3, at), GRACE, at, false)
    expect(next.workerId).toBe('w-2')
    expect(next.updatedAt).toBe(record.updatedAt)
    expect(next.deployments.map((d) => d.workerId)).toEqual(['w-3', 'w-2', 'w-1'])
  })

  it('never retires the serving deployment, however many candidates follow it', () => {
    let { record } = deployMany(1, 1000)
    for (let n = 2; n <= RETAINED_DEPLOYMENTS + 5; n++) {
      const at = T0 + n * 1000
      record = withDeployment(record, base, deployment(n, at), GRACE, at, false).record
    }
    expect(record.workerId).toBe('w-1')
    expect(record.deployments).toHaveLength(RETAINED_DEPLOYMENTS)
    expect(record.deployments.at(-1)?.workerId).toBe('w-1')
    expect(record.deployments[0]?.workerId).toBe(`w-${RETAINED_DEPLOYMENTS + 5}`)
    expect(record.retired.map((r) => r.workerId)).not.toContain('w-1')
  })

  it('deletes code beyond the history only after the grace period', () => {
    // One deploy per second: w-1 retires at the 11th deploy and must survive until 120 s later.
    const fast = deployMany(40, 1000)
    expect(fast.expired.flat()).toEqual([])
    const slow = deployMany(13, 61_000)
    // w-1 retired at deploy 11 (t = 671 s), expires at deploy 13 (t = 793 s, 122 s later).
    expect(slow.expired[11]).toEqual([])
    expect(slow.expired[12]).toEqual(['w-1'])
    expect(slow.record.retired.map((r) => r.workerId)).toEqual(['w-2', 'w-3'])
  })

  it('rolls back to a retained deployment only, keeping the history', () => {
    const { record } = deployMany(3, 1000)
    const back = withCurrent(record, 'w-1', GRACE, T0 + 10_000)
    expect(back?.record.workerId).toBe('w-1')
    expect(back?.record.deployments).toEqual(record.deployments)
    expect(withCurrent(record, 'w-999', GRACE, T0)).toBeNull()
  })
})

describe('log capture around changes', () => {
  const iso = (ms: number) => new Date(ms).toISOString()

  it('a deploy turns capture on for LOG_WATCH_MS and never shortens a longer window', () => {
    const first = withDeployment(null, base, deployment(1, T0), GRACE, T0).record
    expect(first.logsUntil).toBe(iso(T0 + LOG_WATCH_MS))
    const longer = { ...first, logsUntil: iso(T0 + 3 * LOG_WATCH_MS) }
    const next = withDeployment(longer, base, deployment(2, T0 + 1000), GRACE, T0 + 1000).record
    expect(next.logsUntil).toBe(iso(T0 + 3 * LOG_WATCH_MS))
  })

  it('with LOG_CAPTURE_AFTER_DEPLOY_MINUTES=0 a change leaves capture as it was: off, or a window someone opened', () => {
    const off = { ...GRACE, captureMs: 0 }
    const first = withDeployment(null, base, deployment(1, T0), off, T0).record
    expect(first).not.toHaveProperty('logsUntil')
    const watched = { ...first, logsUntil: iso(T0 + 5_000) }
    expect(withDeployment(watched, base, deployment(2, T0 + 1000), off, T0 + 1000).record.logsUntil).toBe(
      iso(T0 + 5_000),
    )
    expect(withCurrent(watched, 'w-1', off, T0 + 2000)?.record.logsUntil).toBe(iso(T0 + 5_000))
  })

  it('a rollback or promote turns capture on too', () => {
    const { record } = deployMany(2, 1000)
    const later = T0 + 10 * LOG_WATCH_MS
    expect(withCurrent(record, 'w-1', GRACE, later)?.record.logsUntil).toBe(iso(later + LOG_WATCH_MS))
  })
})
