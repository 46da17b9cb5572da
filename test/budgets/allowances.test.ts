import { describe, expect, it, vi } from 'vitest'
import { Allowances, CPU_RECHECK_MS, type LeaseStore } from '../../src/budgets/allowances'
import type { WorkerRecord } from '../../src/core/model'

const record = { name: 'shop', ownerId: 'o-1' } as WorkerRecord
const NOON = Date.parse('2026-12-07T12:00:00Z')

/** A lease store whose object answers with `answers` in turn (an Error is thrown). */
function storeAnswering(...answers: (number | Error)[]) {
  const calls: number[] = []
  const store: LeaseStore = {
    getByName: () => ({
      lease: (_day, want) => {
        calls.push(want)
        const answer = answers.shift() ?? 0
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(Math.min(answer, want))
      },
      cpuSpent: () => Promise.resolve(0),
    }),
  }
  return { store, calls }
}

describe('allowances', () => {
  it('serves from one leased block, then refuses without asking again once the day is spent', async () => {
    const { store, calls } = storeAnswering(10, 0)
    const allowances = new Allowances(store, () => NOON)
    for (let i = 0; i < 10; i++) await allowances.take(record, 100)
    await expect(allowances.take(record, 100)).rejects.toMatchObject({
      status: 429,
      headers: { 'Retry-After': '43200' },
    })
    await expect(allowances.take(record, 100)).rejects.toMatchObject({ status: 429 })
    expect(calls).toEqual([10, 10])
  })

  it('asks the object again once, and serves without an allowance when it cannot be reached at all', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { store, calls } = storeAnswering(new Error('unreachable'), 5)
    const allowances = new Allowances(store, () => NOON)
    await allowances.take(record, 50)
    expect(calls).toHaveLength(2)
    const down = storeAnswering(new Error('unreachable'), new Error('unreachable'))
    await expect(new Allowances(down.store, () => NOON).take(record, 50)).resolves.toBeUndefined()
    expect(warn).toHaveBeenCalledWith('could not lease the budget of "shop"; served without an allowance')
    warn.mockRestore()
  })

  it('checks CPU once per CPU_RECHECK_MS when it has a figure, for every waiting request when it has none, and forgets it at midnight', async () => {
    let now = NOON
    let spent = 0
    const asked: number[] = []
    const store: LeaseStore = {
      getByName: () => ({
        lease: () => Promise.resolve(0),
        cpuSpent: (day) => {
          asked.push(day)
          return Promise.resolve(spent)
        },
      }),
    }
    const allowances = new Allowances(store, () => now)
    // Nothing heard yet: each concurrent request asks (no promise shared across requests).
    await Promise.all(Array.from({ length: 5 }, () => allowances.checkCpu(record, 100)))
    expect(asked).toHaveLength(5)
    // Heard: served from memory until the figure is CPU_RECHECK_MS old, whatever the tails report meanwhile.
    spent = 100
    await Promise.all(Array.from({ length: 50 }, () => allowances.checkCpu(record, 100)))
    expect(asked).toHaveLength(5)
    now += CPU_RECHECK_MS
    const checks = await Promise.allSettled(Array.from({ length: 50 }, () => allowances.checkCpu(record, 100)))
    // One request asks again; those that went on meanwhile had the old figure; from then on, refused.
    expect(asked).toHaveLength(6)
    expect(checks.filter((check) => check.status === 'rejected').length).toBeGreaterThanOrEqual(1)
    const refused = await allowances.checkCpu(record, 100).then(
      () => null,
      (error: unknown) => error,
    )
    expect(refused).toMatchObject({ status: 429, headers: { 'Retry-After': '43190' } })
    expect(String(refused)).toContain('has used its budget of 100 CPU milliseconds today (UTC)')
    // A new day: asked again, and served.
    now = NOON + 86_400_000
    spent = 0
    await allowances.checkCpu(record, 100)
    expect(asked.at(-1)).toBe(NOON + 43_200_000)
  })
})
