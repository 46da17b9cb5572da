import { describe, expect, it, vi } from 'vitest'
import { Allowances, type LeaseStore } from '../../src/budgets/allowances'
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
})
