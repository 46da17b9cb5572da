import type { Config } from '../core/config'
import { PlatformError, workerNotFound } from '../core/errors'
import type { CronRun } from '../core/model'
import { assertValidName } from '../core/names'
import { currentDeployment } from '../deploy/deployments'
import type { DispatchContext } from '../dispatch/egress'
import type { WorkerWiring } from '../dispatch/wiring'
import type { NameChanges } from '../names/changes'
import type { Proof } from '../names/ownership'
import { refusal } from '../names/refusals'
import { unseal } from '../names/secrets'
import { metersCpu } from '../budgets/budget-of'
import { outcomeOf, runNote, type CronJob, type CronResult, type ScheduleView } from './schedules'

/** A worker's scheduled runs: the alarm's (through CronRunner) and the owner's "Run now". */
export class Scheduler {
  constructor(
    private readonly parts: {
      config: Pick<Config, 'userWorkersDomain' | 'secretsKey' | 'budgets'>
      changes: NameChanges
      wiring: WorkerWiring
      now: () => number
    },
  ) {}

  /**
   * Runs the current deployment's scheduled() once, with its limits, egress, vars and secrets; its
   * output always goes to the worker's logs (runs are rare). Never throws: how it ended is the result.
   */
  async run({ record, cron, scheduledTime, trigger, secrets }: CronJob): Promise<CronResult> {
    const { config, wiring } = this.parts
    const context: DispatchContext = {
      hops: 0,
      platformHosts: config.userWorkersDomain ? [config.userWorkersDomain] : [],
    }
    const startedAt = Date.now()
    // A cron run's CPU counts as its requests' do (docs/metrics.md#cpu-time).
    const cpu = metersCpu(record, config.budgets)
    let ended: ReturnType<typeof outcomeOf> = { outcome: 'ok' }
    try {
      const fetcher = wiring.fetcherOf(record, currentDeployment(record), context, {
        secrets: () => unseal(secrets, config.secretsKey),
        tail: () => wiring.logTail(record, record.workerId, { cpu }),
        ...(cpu ? { cpu: 'also' as const } : {}),
      })
      await fetcher.scheduled({ cron, scheduledTime })
    } catch (error) {
      ended = outcomeOf(error)
    }
    const at = new Date(scheduledTime).toISOString()
    const run: CronRun = { at, cron, trigger, outcome: ended.outcome, durationMs: Date.now() - startedAt }
    return { run, note: runNote(run, ended.message) }
  }

  /** "Run now": the owner (or an admin) runs one of the worker's crons (default: the first) at once. */
  async runNow(name: string, cron: string | undefined, token: Proof): Promise<CronRun> {
    const { changes, wiring, now } = this.parts
    const claim = changes.claim(assertValidName(name))
    const prepared = await claim.prepareRun(await changes.credential(token))
    if (!prepared.ok) throw refusal(prepared.reason, 'run')
    if (!prepared.found) throw workerNotFound(name)
    const crons = wiring.settingsOf(currentDeployment(prepared.record)).crons ?? []
    if (crons.length === 0) {
      throw new PlatformError('invalid_request', `"${name}" has no cron schedules to run. Upload it with "crons".`)
    }
    const chosen = cron?.trim().split(/\s+/).join(' ') || crons[0]!
    if (!crons.includes(chosen)) {
      throw new PlatformError('invalid_request', `"${name}" has no cron "${chosen}"; its crons: ${crons.join(', ')}.`)
    }
    const job = { ...prepared, cron: chosen, scheduledTime: now(), trigger: 'manual' as const }
    const { run, note } = await this.run(job)
    await claim.recordCronRun(run, note, prepared.record.ownerId)
    return run
  }

  /** A worker's crons, when they next run, and the last runs (no error details: those are in its logs). */
  async view(name: string): Promise<ScheduleView> {
    const view = await this.parts.changes.claim(assertValidName(name)).readSchedule()
    if (!view) throw workerNotFound(name)
    return view
  }
}
