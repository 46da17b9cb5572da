// The budgets part of the configuration (budgets/, docs/operators.md#budgets).
import { clean, parseBoolean, parseCount } from './config-values'

/** What a worker may use in a day unless an admin set its own (0: no limit), and whether CPU is metered. */
export interface BudgetConfig {
  requestsPerDay: number
  cpuMsPerDay: number
  /** Requests all the workers of one account may serve together per UTC day, unless an admin set the account's own. */
  accountRequestsPerDay: number
  /**
   * dynamic-workers: attach a CPU-only tail to every worker, so the usage export has CPU ms for all
   * (docs/metrics.md#cpu-time says what it costs). Workers with a CPU budget get it regardless.
   */
  meterCpu: boolean
}

export function parseBudgets(env: {
  BUDGET_REQUESTS_PER_DAY?: string | undefined
  BUDGET_CPU_MS_PER_DAY?: string | undefined
  METER_CPU?: string | undefined
  BUDGET_ACCOUNT_REQUESTS_PER_DAY?: string | undefined
}): BudgetConfig {
  return {
    requestsPerDay: parseCount('BUDGET_REQUESTS_PER_DAY', env.BUDGET_REQUESTS_PER_DAY) ?? 0,
    cpuMsPerDay: parseCount('BUDGET_CPU_MS_PER_DAY', env.BUDGET_CPU_MS_PER_DAY) ?? 0,
    meterCpu: parseBoolean('METER_CPU', clean(env.METER_CPU)) ?? false,
    accountRequestsPerDay: parseCount('BUDGET_ACCOUNT_REQUESTS_PER_DAY', env.BUDGET_ACCOUNT_REQUESTS_PER_DAY) ?? 0,
  }
}

/** How many requests an isolate leases at once: a tenth of the budget, at most 1,000 (one object call per block). */
export function blockOf(limit: number): number {
  return Math.max(1, Math.min(1_000, Math.floor(limit / 10)))
}
