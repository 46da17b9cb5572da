import type { FC } from 'hono/jsx'
import type { Suspension } from '../core/model'
import { formatTime } from '../lib/format'

/** Why a worker is stopped, on its page: what the operator wrote, and what it means. */
export const SuspendedNotice: FC<{ suspension: Suspension }> = ({ suspension }) => (
  <div class="alert error" role="alert">
    <strong>Suspended</strong> by the platform's operator since{' '}
    <time datetime={suspension.at}>{formatTime(suspension.at)}</time>
    {suspension.scope === 'account' ? ', with its whole account' : ''}: {suspension.reason}. Requests get 503, and its
    crons, Durable Object alarms, tails and deploys are stopped until an admin resumes it. Its data is kept.
  </div>
)
