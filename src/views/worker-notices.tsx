import type { FC } from 'hono/jsx'
import type { WorkerRecord } from '../core/model'
import type { TodayUsage } from '../metrics/usage'
import { RolloutNotice } from './rollout'
import { SuspendedNotice } from './suspended'

/** A worker's daily budgets and what it used today (budgets/); a budget of 0 is none. */
export interface BudgetView {
  requestsPerDay: number
  cpuMsPerDay: number
  /** Today's use (UTC) as flushed to the worker's metrics object; null when it could not be read. */
  today: TodayUsage | null
}

/** What the top of a worker's page says about its state: suspended, rolling out, its budget. */
export const WorkerNotices: FC<{ record: WorkerRecord; budget: BudgetView | undefined }> = ({ record, budget }) => (
  <>
    {record.suspended && <SuspendedNotice suspension={record.suspended} />}
    <RolloutNotice record={record} />
    {budget && budget.requestsPerDay > 0 && (
      <p class="hint" id="budget">
        Budget: {budget.requestsPerDay} requests a day (UTC)
        {budget.today?.requests != null && `; served today: ${budget.today.requests}`}. Past it, requests get 429 until
        midnight UTC.
      </p>
    )}
    {budget && budget.cpuMsPerDay > 0 && (
      <p class="hint" id="cpu-budget">
        CPU budget: {budget.cpuMsPerDay} ms a day (UTC)
        {budget.today && `; used today: ${Math.round(budget.today.cpuMs)} ms`}. CPU is counted after each invocation:
        once today's reaches the budget, requests get 429 until midnight UTC.
      </p>
    )}
    {budget?.today && <TodayLine today={budget.today} />}
  </>
)

/** Today's use, as the usage export has it (docs/metrics.md#usage). */
const TodayLine: FC<{ today: TodayUsage }> = ({ today }) => (
  <p class="hint" id="usage-today">
    Today (UTC): {today.requests !== null && `${today.requests} requests, `}
    {Math.round(today.cpuMs)} ms CPU, {today.kvOps} KV operations ({today.kvBytes} bytes), {today.sqlOps} SQL statements
    ({today.sqlBytes} bytes).
  </p>
)
