import type { FC } from 'hono/jsx'
import type { WorkerRecord } from '../core/model'
import { currentDeployment } from '../deploy/deployments'
import { rolloutCandidate } from '../deploy/rollouts'
import { formatTime } from '../lib/format'

/** A gradual rollout in progress: which deployment gets what share (docs/deployments.md#gradual-rollouts). */
export const RolloutNotice: FC<{ record: WorkerRecord }> = ({ record }) => {
  const candidate = rolloutCandidate(record)
  if (!record.rollout || !candidate) return null
  const current = currentDeployment(record)
  return (
    <div class="alert notice" role="status" id="rollout">
      <strong>Rolling out</strong> {candidate.label} to {record.rollout.percent} % of visitors since{' '}
      <time datetime={record.rollout.startedAt}>{formatTime(record.rollout.startedAt)}</time>; the rest get{' '}
      {current?.label ?? record.workerId}. Each visitor keeps its deployment while the share stays; promoting{' '}
      {candidate.label} serves it to everyone.
    </div>
  )
}
