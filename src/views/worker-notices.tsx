import type { FC } from 'hono/jsx'
import type { WorkerRecord } from '../core/model'
import { RolloutNotice } from './rollout'
import { SuspendedNotice } from './suspended'

/** A worker's daily budget and what it served today (budgets/). */
export interface BudgetView {
  requestsPerDay: number
  /** Requests served today (UTC) as the worker's metrics have them; null when metrics are off. */
  servedToday: number | null
}

/** What the top of a worker's page says about its state: suspended, rolling out, its budget. */
export const WorkerNotices: FC<{ record: WorkerRecord; budget: BudgetView | undefined }> = ({ record, budget }) => (
  <>
    {record.suspended && <SuspendedNotice suspension={record.suspended} />}
    <RolloutNotice record={record} />
    {budget && (
      <p class="hint" id="budget">
        Budget: {budget.requestsPerDay} requests a day (UTC)
        {budget.servedToday !== null && `; served today: ${budget.servedToday}`}. Past it, requests get 429 until
        midnight UTC.
      </p>
    )}
  </>
)
