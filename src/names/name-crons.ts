import { exports } from 'cloudflare:workers'
import type { CronRun, LogLine, WorkerRecord } from '../core/model'
import type { CronJob, ScheduleView } from '../cron/schedules'
import { CronRuns } from '../cron/cron-runs'
import type { SealedSecrets } from './secrets'

/** What a name's crons need of its object: the record, the sealed secrets, its logs, its generation. */
export interface CronHost {
  current(): Promise<WorkerRecord | null>
  readSecrets(workerId: string): Promise<SealedSecrets | null>
  appendLogs(lines: LogLine[], ownerId: string): Promise<void>
  holds(ownerId: string): Promise<boolean>
}

/**
 * A name's cron schedule as its object runs it: the plan and the last runs (cron/cron-runs.ts), the
 * runs due at an alarm, and "Run now"'s bookkeeping.
 */
export class NameCrons {
  readonly runs: CronRuns

  constructor(
    storage: DurableObjectStorage,
    private readonly host: CronHost,
  ) {
    this.runs = new CronRuns(storage)
  }

  /** The schedule (crons, next run, last runs) of the current deployment; null for a free name. */
  async view(): Promise<ScheduleView | null> {
    const record = await this.host.current()
    return record && this.runs.view(record)
  }

  /** The current record and its sealed secrets, for "Run now". */
  async job(record: WorkerRecord): Promise<Omit<CronJob, 'cron' | 'scheduledTime' | 'trigger'>> {
    return { record, secrets: await this.host.readSecrets(record.workerId) }
  }

  /** Records a run done outside the alarm ("Run now"), and what the platform had to say about it. */
  async recordRun(run: CronRun, note: LogLine | undefined, ownerId: string): Promise<void> {
    if (!(await this.host.holds(ownerId))) return
    this.runs.record(run)
    if (note) await this.host.appendLogs([note], ownerId)
  }

  /** Runs the crons due at `now` in the platform's CronRunner entrypoint; failures are recorded, never thrown. */
  async runDue(now: number): Promise<void> {
    const record = await this.host.current()
    const ownerId = record?.ownerId ?? ''
    await this.runs.runDue(
      now,
      record,
      async (cron, scheduledTime) => {
        if (!record) throw new Error('no record')
        // Secrets come from the object's own storage: the runner need not call back for them.
        const secrets = await this.host.readSecrets(record.workerId)
        return exports.CronRunner.run({ record, cron, scheduledTime, trigger: 'schedule', secrets })
      },
      (lines) => this.host.appendLogs(lines, ownerId),
      // A run outlasting its owner's deletion (and someone's new claim) records nothing.
      () => this.host.holds(ownerId),
    )
  }
}
