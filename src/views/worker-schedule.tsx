import type { FC } from 'hono/jsx'
import type { CronOutcome } from '../core/model'
import { CRON_RUNS_KEPT, type ScheduleView } from '../cron/schedules'
import { formatTime } from '../lib/format'
import { FormError, TokenSubmit, type FormRefusal } from './worker-forms'

/** The worker's cron schedule: when it runs next, its last runs, and "Run now" for the owner. */
export const Schedule: FC<{
  name: string
  schedule: ScheduleView | undefined
  ran: CronOutcome | undefined
  formError: FormRefusal | undefined
  /** Signed in with the worker's account: "Run now" acts with the session. */
  tokenless?: boolean
}> = ({ name, schedule, ran, formError, tokenless }) => (
  <section aria-labelledby="schedule-heading">
    <h2 id="schedule-heading">Schedule</h2>
    {ran && (
      <div class="alert notice" role="status">
        Ran now: {ran}. Its output is in the logs.
      </div>
    )}
    <FormError form="cron" error={formError} />
    {!schedule || schedule.crons.length === 0 ? (
      <p>No cron schedules.</p>
    ) : (
      <>
        <div class="card">
          <dl>
            <dt>Crons (UTC)</dt>
            <dd>
              {schedule.crons.map((cron, index) => (
                <>
                  {index > 0 && ', '}
                  <code>{cron}</code>
                </>
              ))}
            </dd>
            <dt>Next run</dt>
            <dd>
              {schedule.nextRunAt ? (
                <time datetime={schedule.nextRunAt}>{formatTime(schedule.nextRunAt)}</time>
              ) : (
                'not planned'
              )}
            </dd>
          </dl>
        </div>
        <h3>Last {CRON_RUNS_KEPT} runs</h3>
        {schedule.runs.length === 0 ? (
          <p>No runs yet.</p>
        ) : (
          <ul class="runs">
            {schedule.runs.map((run) => (
              <li>
                <time datetime={run.at}>{formatTime(run.at)}</time> <code>{run.cron}</code> {run.outcome},{' '}
                {run.durationMs} ms{run.trigger === 'manual' && ' (run now)'}
              </li>
            ))}
          </ul>
        )}
        <form class="card" method="post" action={`/workers/${name}/cron/run`} aria-labelledby="schedule-heading">
          {schedule.crons.length > 1 && (
            <>
              <label for="cron-choice">Cron</label>
              <select id="cron-choice" name="cron">
                {schedule.crons.map((cron) => (
                  <option value={cron}>{cron}</option>
                ))}
              </select>
            </>
          )}
          <TokenSubmit id="cron-token" tokenless={tokenless}>
            <button type="submit">Run now</button>
          </TokenSubmit>
        </form>
      </>
    )}
  </section>
)
