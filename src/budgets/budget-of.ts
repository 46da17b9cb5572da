import type { BudgetConfig } from '../core/budget-config'
import type { WorkerRecord } from '../core/model'

/** The worker's request budget per UTC day: an admin's own, else the platform's default (0: none). */
export function requestBudgetOf(record: WorkerRecord, budgets: BudgetConfig): number {
  return record.budget?.requestsPerDay ?? budgets.requestsPerDay
}

/** The worker's CPU budget per UTC day, in ms: an admin's own, else the platform's default (0: none). */
export function cpuBudgetOf(record: WorkerRecord, budgets: BudgetConfig): number {
  return record.budget?.cpuMsPerDay ?? budgets.cpuMsPerDay
}

/** Whether the worker's invocations get a tail that counts their CPU time (docs/metrics.md#cpu-time). */
export function metersCpu(record: WorkerRecord, budgets: BudgetConfig): boolean {
  return budgets.meterCpu || cpuBudgetOf(record, budgets) > 0
}
