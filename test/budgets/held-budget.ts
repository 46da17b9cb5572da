import { expect } from 'vitest'
import { blockOf } from '../../src/budgets/allowances'

/**
 * What every budget test under load asserts of a day's budget of `budget` requests, spread over
 * `isolates` isolates: at most the budget served, at least all but a leased block per isolate (the
 * only loss), every other answer a 429 with Retry-After at the next UTC midnight. Returns the served
 * count and the first refusal's page.
 */
export async function expectBudgetHeld(
  responses: Response[],
  budget: number,
  isolates: number,
): Promise<{ served: number; refusalPage: string }> {
  const served = responses.filter((res) => res.status === 200).length
  const refused = responses.filter((res) => res.status === 429)
  expect(served).toBeLessThanOrEqual(budget)
  // Leased and unserved blocks are the only loss: at most a block per isolate.
  expect(served).toBeGreaterThanOrEqual(budget - isolates * blockOf(budget))
  expect(refused.length).toBe(responses.length - served)
  const untilMidnight = Math.ceil((86_400_000 - (Date.now() % 86_400_000)) / 1000)
  expect(Math.abs(Number(refused[0]!.headers.get('retry-after')) - untilMidnight)).toBeLessThan(60)
  return { served, refusalPage: await refused[0]!.text() }
}
