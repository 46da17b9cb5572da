import type { FC } from 'hono/jsx'
import type { WorkerRecord } from '../core/model'
import { RolloutNotice } from './rollout'
import { SuspendedNotice } from './suspended'

/** A worker's daily budgets and what it used today (budgets/); a budget of 0 is none. */
export interface BudgetView {
  requestsPerDay: number
  /** Requests served today (UTC) as the worker's metrics have them; null when metrics are off. */
  servedToday: number | null
  cpuMsPerDay: number
  /** CPU ms its tails reported today (UTC), as flushed. */
  cpuMsToday: number
}

/** What the top of a worker's page says about its state: suspended, rolling out, its budget. */
export const WorkerNotices: FC<{ record: WorkerRecord; budget: BudgetView | undefined }> = ({ record, budget }) => (
  <>
    {record.suspended && <SuspendedNotice suspension={record.suspended} />}
    <RolloutNotice record={record} />
    {budget && budget.requestsPerDay > 0 && (
      <p class="hint" id="budget">
        Budget: {budget.requestsPerDay} requests a day (UTC)
        {budget.servedToday !== null && `; served today: ${budget.servedToday}`}. Past it, requests get 429 until
        midnight UTC.
      </p>
    )}
    {budget && budget.cpuMsPerDay > 0 && (
      <p class="hint" id="cpu-budget">
        CPU budget: {budget.cpuMsPerDay} ms a day (UTC); used today: {Math.round(budget.cpuMsToday)} ms. CPU is counted
        after each invocation: once today's reaches the budget, requests get 429 until midnight UTC.
      </p>
    )}
  </>
)
