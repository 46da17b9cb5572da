import { PlatformError } from '../core/errors'
import type { CronOutcome, CronRun, LogLine, WorkerBundle, WorkerRecord, WorkerSettings } from '../core/model'
import type { SealedSecrets } from '../names/secrets'

// Cron schedules of user Workers: what an upload with crons must have, and how a run ends. The name's
// Durable Object keeps the timing (cron-runs.ts); Scheduler.run (scheduler.ts) does the run.

/** Every way a run can end, for the pages (the redirect after "Run now" names one). */
export const CRON_OUTCOMES: readonly CronOutcome[] = ['ok', 'exception', 'exceeded', 'missing', 'error']

/** Runs shown per worker (page and API). */
export const CRON_RUNS_KEPT = 10

/** One scheduled run to do, as the name's object hands it to the platform. */
export interface CronJob {
  record: WorkerRecord
  cron: string
  scheduledTime: number
  trigger: CronRun['trigger']
  /** The current deployment's sealed secrets, read by the object from its own storage. */
  secrets: SealedSecrets | null
}

/** A finished run, and a line for the worker's logs when the platform (not the worker) has something to say. */
export interface CronResult {
  run: CronRun
  note?: LogLine
}

/** A worker's schedule as the page and the API show it. */
export interface ScheduleView {
  crons: string[]
  nextRunAt: string | null
  runs: CronRun[]
}

const SCHEDULED_EXAMPLE =
  'export default { async fetch(request, env, ctx) { … }, async scheduled(controller, env, ctx) { … } }'

/**
 * Crons need a scheduled() to call: an upload with crons and without one is refused (400, saying what
 * to add); the reverse is allowed, with a hint. `hasScheduled` is what the upload check found
 * (undefined when it could not look: service-worker syntax, or no loader).
 */
export function checkSchedule(
  settings: WorkerSettings,
  bundle: WorkerBundle | null,
  hasScheduled: boolean | undefined,
): string[] {
  const crons = settings.crons ?? []
  if (crons.length > 0) {
    if (!bundle) {
      throw new PlatformError('invalid_settings', 'A static site has no Worker to run crons: remove them.')
    }
    if (bundle.modules.some((module) => module.name === bundle.mainModule && module.type === 'service-worker')) {
      throw new PlatformError(
        'script_rejected',
        `Crons need an ES module Worker (service-worker syntax is not supported for them): ${SCHEDULED_EXAMPLE}`,
      )
    }
    if (hasScheduled === false) {
      throw new PlatformError(
        'script_rejected',
        `The worker has crons but no scheduled() handler to run. Add one: ${SCHEDULED_EXAMPLE}`,
      )
    }
    return []
  }
  return hasScheduled
    ? ['The worker exports scheduled() but has no crons, so it never runs: add some (e.g. "*/5 * * * *").']
    : []
}

/**
 * How a run ended, from what the backend threw: the worker's own exception, a limit, missing code,
 * or the platform's failure. Only the platform's messages are safe to pass on (the runtime has
 * already put the worker's own exception in its logs).
 */
export function outcomeOf(error: unknown): { outcome: CronOutcome; message?: string } {
  if (!(error instanceof PlatformError)) return { outcome: 'exception' }
  if (error.code === 'limit_exceeded') return { outcome: 'exceeded', message: error.message }
  if (error.code === 'deployment_missing') return { outcome: 'missing', message: error.message }
  return { outcome: 'error', message: error.message }
}

/**
 * The log line a run adds beside the worker's own output when the platform has something to say: a
 * limit, missing code, its own failure. The worker's exception is already in its logs (the run's
 * tail reports it, like any uncaught exception).
 */
export function runNote(run: CronRun, message: string | undefined): LogLine | undefined {
  if (run.outcome === 'ok' || run.outcome === 'exception') return undefined
  return {
    at: new Date().toISOString(),
    level: 'exception',
    message: `scheduled() for "${run.cron}" ended with ${run.outcome}: ${message ?? run.outcome}`.slice(0, 1_000),
  }
}
