import { describe, expect, it, vi } from 'vitest'
import { ACCOUNT_RECHECK_MS, AccountAllowances, type AccountLeaseStore } from '../../src/budgets/account-allowances'
import type { AccountLease } from '../../src/accounts/account-budget'
import type { WorkerRecord } from '../../src/core/model'

const NOON = Date.parse('2026-12-07T12:00:00Z')
const inAccount = { name: 'shop', ownerId: 'o-1', accountId: 'acc_1' } as WorkerRecord

/** An account object answering with `answers` in turn (an Error is thrown), counting its calls. */
function storeAnswering(...answers: (AccountLease | Error)[]) {
  const calls: number[] = []
  const store: AccountLeaseStore = {
    getByName: () => ({
      lease: (_day, defaultLimit) => {
        calls.push(defaultLimit)
        const answer = answers.shift() ?? { granted: 0, limit: 0 }
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)
      },
    }),
  }
  return { store, calls }
}

describe('account allowances', () => {
  it('costs a worker without an account nothing, and one whose account has no budget one call a minute', async () => {
    let now = NOON
    const { store, calls } = storeAnswering()
    const allowances = new AccountAllowances(store, () => now)
    for (let i = 0; i < 50; i++) await allowances.take({ name: 'solo', ownerId: 'o-2' } as WorkerRecord, 0)
    expect(calls).toHaveLength(0)
    for (let i = 0; i < 50; i++) await allowances.take(inAccount, 0)
    expect(calls).toHaveLength(1)
    now += ACCOUNT_RECHECK_MS
    for (let i = 0; i < 50; i++) await allowances.take(inAccount, 0)
    expect(calls).toHaveLength(2)
  })

  it('serves its blocks, refuses once spent without asking again for a minute, then hears a raised budget', async () => {
    let now = NOON
    const { store, calls } = storeAnswering(
      { granted: 2, limit: 2 },
      { granted: 0, limit: 2 },
      { granted: 5, limit: 50 },
    )
    const allowances = new AccountAllowances(store, () => now)
    await allowances.take(inAccount, 0)
    await allowances.take(inAccount, 0)
    const refusal = allowances.take(inAccount, 0)
    await expect(refusal).rejects.toMatchObject({ status: 429, headers: { 'Retry-After': '43200' } })
    await expect(refusal).rejects.toThrow('The account acc_1 has served its budget of 2 requests today (UTC)')
    await expect(allowances.take(inAccount, 0)).rejects.toMatchObject({ status: 429 })
    expect(calls).toHaveLength(2)
    now += ACCOUNT_RECHECK_MS
    await allowances.take(inAccount, 0)
    expect(calls).toHaveLength(3)
  })

  it('asks twice, then serves without an allowance when the account’s object cannot be reached', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { store, calls } = storeAnswering(new Error('down'), new Error('down'))
    await expect(new AccountAllowances(store, () => NOON).take(inAccount, 10)).resolves.toBeUndefined()
    expect(calls).toEqual([10, 10])
    expect(warn).toHaveBeenCalledWith('could not lease the budget of account acc_1; served without an allowance')
    warn.mockRestore()
  })
})
