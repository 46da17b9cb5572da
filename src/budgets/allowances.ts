import { budgetSpent, heldFor } from './day-state'
import { blockOf } from '../core/budget-config'
import { PlatformError } from '../core/errors'
import type { WorkerRecord } from '../core/model'
import { DAY_MS, dayOf } from '../metrics/metrics'

/** Where a worker's day is leased from: its name's WorkerMetrics object (metrics/worker-metrics.do.ts). */
export interface LeaseStore {
  getByName(name: string): {
    lease(day: number, want: number, limit: number): Promise<number>
    /** The CPU ms the worker's tails reported for `day` so far (metrics/usage-counts.ts). */
    cpuSpent(day: number): Promise<number>
  }
}

/**
 * How long an isolate goes on with what it last heard of a worker's CPU today before asking its
 * object again (one call per worker and isolate per this, never per request).
 */
export const CPU_RECHECK_MS = 10_000

export { blockOf }

/**
 * Daily request budgets (docs/operators.md#budgets), enforced at dispatch without a write per
 * request: each isolate leases a block of the day's requests from the worker's name's object and
 * serves from it in memory, leasing again when it is spent. The object grants no more than the
 * budget in all, so a worker never serves more than its budget in a day (the bound is 0, but for
 * requests served while its object could not be reached at all: see lease); what
 * an isolate leased and did not serve (it was evicted, the day ended) is lost, so a worker may serve
 * fewer, by at most a block per isolate that served it that day.
 */
export class Allowances {
  private readonly held = new Map<string, Allowance>()
  /** What this isolate last heard of each worker's CPU today. */
  private readonly cpu = new Map<string, CpuHeard>()

  constructor(
    private readonly store: LeaseStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request of the worker's day, or refuses (429 until midnight UTC) when its budget is spent. */
  async take(record: WorkerRecord, limit: number): Promise<void> {
    const now = this.now()
    const allowance = this.allowanceOf(`${record.name}/${record.ownerId}`, dayOf(now), limit)
    while (allowance.left === 0) {
      // Spent: refused without asking again, until the day or the budget changes.
      if (allowance.spent) throw overBudget(record.name, limit, allowance.day + DAY_MS - now)
      // Each waiting request leases for itself: a promise shared across requests would hang the others
      // in workerd (measured: 500s under load). What one leases, any request of this isolate may take.
      const granted = await this.lease(record.name, allowance.day, limit)
      if (granted === null) return
      allowance.left += granted
      if (granted === 0 && allowance.left === 0) allowance.spent = true
    }
    allowance.left -= 1
  }

  /**
   * Leases a block of the worker's day, asking twice; null when the worker's object cannot be reached
   * at all: the request is then served without an allowance, because a budget guards a bill and a
   * platform fault must not fail tenants' requests (those requests are the only ones a budget can miss).
   */
  private async lease(name: string, day: number, limit: number): Promise<number | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await this.store.getByName(name).lease(day, blockOf(limit), limit)
      } catch {
        // Asked again once; the error's message may name internals, so only that it failed is logged.
      }
    }
    console.warn(`could not lease the budget of "${name}"; served without an allowance`)
    return null
  }

  /**
   * Refuses (429 until midnight UTC) once the CPU the worker's tails reported today reached `limit`
   * ms. CPU is known only after the fact (docs/operators.md#budgets states the bound). An isolate
   * that has heard nothing yet of the worker's day asks its object for each request (as leases do:
   * no promise shared across requests); afterwards, the request that finds the figure older than
   * CPU_RECHECK_MS asks again while the others go on with the figure they have.
   */
  async checkCpu(record: WorkerRecord, limitMs: number): Promise<void> {
    const now = this.now()
    const day = dayOf(now)
    const key = `${record.name}/${record.ownerId}`
    const known = heldFor(
      this.cpu,
      key,
      (entry) => entry.day !== day,
      (): CpuHeard => ({ day, spentMs: null, checkedAt: -Infinity }),
    )
    if (known.spentMs === null || now - known.checkedAt >= CPU_RECHECK_MS) {
      known.checkedAt = now
      try {
        known.spentMs = await this.store.getByName(record.name).cpuSpent(day)
      } catch {
        // As a lease that cannot be asked: served; asked again by the next request, or after CPU_RECHECK_MS.
        console.warn(`could not read the CPU spent by "${record.name}" today; served meanwhile`)
      }
    }
    if ((known.spentMs ?? 0) >= limitMs) throw overCpuBudget(record.name, limitMs, day + DAY_MS - now)
  }

  private allowanceOf(key: string, day: number, limit: number): Allowance {
    const stale = (held: Allowance) => held.day !== day || held.limit !== limit
    return heldFor(this.held, key, stale, () => ({ day, limit, left: 0, spent: false }))
  }
}

/** What an isolate last heard of a worker's CPU today (null: nothing yet), and when it asked. */
interface CpuHeard {
  day: number
  spentMs: number | null
  checkedAt: number
}

/** What an isolate holds of a worker's day: requests leased and not yet served, and whether the day is spent. */
interface Allowance {
  day: number
  limit: number
  left: number
  spent: boolean
}

/** 429 naming the CPU budget, with Retry-After at the next UTC midnight. */
function overCpuBudget(name: string, limitMs: number, untilResetMs: number): PlatformError {
  return budgetSpent(
    `The worker "${name}" has used its budget of ${limitMs} CPU milliseconds today (UTC); it serves again at midnight UTC.`,
    untilResetMs,
  )
}

/** 429 naming the budget, with Retry-After at the next UTC midnight. */
function overBudget(name: string, limit: number, untilResetMs: number): PlatformError {
  return budgetSpent(
    `The worker "${name}" has served its budget of ${limit} requests today (UTC); it serves again at midnight UTC.`,
    untilResetMs,
  )
}
