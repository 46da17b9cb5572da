import type { FC } from 'hono/jsx'
import type { WorkerRecord } from '../core/model'
import { currentDeployment } from '../deploy/deployments'
import type { MinuteSummary, Summary } from '../metrics/metrics'
import type { RolloutReport, RolloutSide } from '../metrics/rollout-metrics'
import { formatTime } from '../lib/format'
import { FormError, TokenSubmit, type FormRefusal } from './worker-forms'

/** What the rollout form held when it was refused, shown again. */
export interface RolloutInput {
  deployment: string
  percent: string
}

export interface WorkerRolloutProps {
  record: WorkerRecord
  /** The rollout in progress with each side's metrics; absent: none. */
  report: RolloutReport | undefined
  input?: RolloutInput | undefined
  formError?: FormRefusal | undefined
  tokenless: boolean
}

/** The most minutes the per-minute table lists (the latest). */
const MINUTES_SHOWN = 60

/**
 * The worker page's gradual rollout (docs/deployments.md#gradual-rollouts): both sides' metrics next
 * to each other while one runs, and the forms to start it, change its share, promote or abort it.
 */
export const WorkerRollout: FC<WorkerRolloutProps> = ({ record, report, input, formError, tokenless }) => {
  const others = record.deployments.filter((deployment) => deployment.workerId !== record.workerId)
  if (others.length === 0 && !report && formError?.form !== 'rollout') return null
  const current = currentDeployment(record)
  const chosen = input?.deployment ?? report?.candidate.workerId ?? others[0]?.workerId
  const percent = input?.percent ?? String(report?.rollout.percent ?? 10)
  return (
    <section aria-labelledby="rollout-heading">
      <h2 id="rollout-heading">Gradual rollout</h2>
      <p class="hint">
        Serve a retained deployment to a share of visitors while {current?.label ?? 'the serving one'} serves the rest.
        Each visitor keeps its deployment while the share stays, and raising it only moves visitors to the candidate. A
        deployment that brought D1 or Durable Object migrations cannot be rolled out gradually.
      </p>
      {report && <RolloutSides report={report} />}
      <FormError form="rollout" error={formError} />
      <form class="card" method="post" action={`/workers/${record.name}/rollout`} aria-label="Roll out a deployment">
        <label for="rollout-deployment">Candidate</label>
        <select id="rollout-deployment" name="deployment" required>
          {others.map((deployment) => (
            <option value={deployment.workerId} selected={deployment.workerId === chosen}>
              {deployment.label} ({deployment.workerId}
              {current && deployment.sequence > current.sequence ? ', newer' : ', older'})
            </option>
          ))}
        </select>
        <label for="rollout-percent">Share of visitors (%)</label>
        <input
          type="number"
          id="rollout-percent"
          name="percent"
          min={1}
          max={99}
          step={1}
          required
          value={percent}
          aria-describedby="rollout-percent-hint"
        />
        <p class="hint" id="rollout-percent-hint">
          1 to 99; promote to serve it to everyone.
        </p>
        <TokenSubmit id="rollout-token" tokenless={tokenless}>
          <button type="submit">{report ? 'Change the rollout' : 'Start the rollout'}</button>
        </TokenSubmit>
      </form>
      {report && (
        <form
          class="card actions-card"
          method="post"
          action={`/workers/${record.name}/rollout/promote`}
          aria-label="End the rollout"
        >
          <input type="hidden" name="deployment" value={report.candidate.workerId} />
          <TokenSubmit id="rollout-end-token" tokenless={tokenless}>
            <button type="submit">Promote {report.candidate.label} to 100 %</button>
            <button type="submit" class="secondary" formaction={`/workers/${record.name}/rollout/abort`}>
              Abort the rollout
            </button>
          </TokenSubmit>
        </form>
      )}
    </section>
  )
}

/** Both sides' requests, errors, p50 and p99 since the rollout started, next to each other. */
const RolloutSides: FC<{ report: RolloutReport }> = ({ report }) => {
  const sides = [report.current, report.candidate]
  const { startedAt } = report.rollout
  // The metrics start at the rollout's minute, or 24 hours ago when it is older (what is kept).
  const from = report.current.metrics?.from
  const truncated = from !== undefined && Date.parse(from) > Date.parse(startedAt)
  const since = truncated ? from : startedAt
  return (
    <div class="card table-wrap">
      <table>
        <caption>
          {truncated ? 'The last 24 hours of the rollout, since ' : 'Since the rollout started, '}
          <time datetime={since}>{formatTime(since)}</time>
        </caption>
        <thead>
          <tr>
            <td></td>
            {sides.map((side) => (
              <th scope="col">
                {side === report.current ? 'Serving' : 'Candidate'}: {side.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <Row label="Share of visitors" sides={sides} value={(side) => `${side.percent} %`} />
          <Row label="Requests" sides={sides} value={(side) => count(side.metrics?.totals, 'requests')} />
          <Row label="Errors" sides={sides} value={(side) => count(side.metrics?.totals, 'errors')} />
          <Row label="Wall time p50" sides={sides} value={(side) => ms(side.metrics?.totals.p50Ms)} />
          <Row label="Wall time p99" sides={sides} value={(side) => ms(side.metrics?.totals.p99Ms)} />
        </tbody>
      </table>
      {report.current.metrics && report.candidate.metrics && <PerMinute report={report} />}
    </div>
  )
}

const Row: FC<{ label: string; sides: RolloutSide[]; value: (side: RolloutSide) => string }> = (props) => (
  <tr>
    <th scope="row">{props.label}</th>
    {props.sides.map((side) => (
      <td>{props.value(side)}</td>
    ))}
  </tr>
)

/** Each minute with traffic on either side, the latest MINUTES_SHOWN. */
const PerMinute: FC<{ report: RolloutReport }> = ({ report }) => {
  const byMinute = (side: RolloutSide) => new Map((side.metrics?.minutes ?? []).map((minute) => [minute.at, minute]))
  const current = byMinute(report.current)
  const candidate = byMinute(report.candidate)
  const minutes = [...new Set([...current.keys(), ...candidate.keys()])].sort().slice(-MINUTES_SHOWN)
  if (minutes.length === 0) return null
  const cells = (minute: MinuteSummary | undefined) => (
    <>
      <td>{minute?.requests ?? 0}</td>
      <td>{minute?.errors ?? 0}</td>
      <td>{ms(minute?.p99Ms)}</td>
    </>
  )
  return (
    <details>
      <summary>Per minute</summary>
      <table>
        <thead>
          <tr>
            <th scope="col">Minute</th>
            {[report.current, report.candidate].map((side) => (
              <>
                <th scope="col">{side.label} requests</th>
                <th scope="col">{side.label} errors</th>
                <th scope="col">{side.label} p99</th>
              </>
            ))}
          </tr>
        </thead>
        <tbody>
          {minutes.map((at) => (
            <tr>
              <th scope="row">
                <time datetime={at}>{formatTime(at)}</time>
              </th>
              {cells(current.get(at))}
              {cells(candidate.get(at))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  )
}

function count(totals: Summary | undefined, field: 'requests' | 'errors'): string {
  return totals ? String(totals[field]) : '—'
}

function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value} ms`
}
