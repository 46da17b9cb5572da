import { array, looseObject, number, optional, string, type GenericSchema } from 'valibot'
import { nextDue } from './cron'
import { currentDeployment } from '../deploy/deployments'
import type { CronRun, LogLine, WorkerRecord } from '../core/model'
import { cronRunSchema } from '../core/model-schemas'
import { parseStored, parseStoredJson } from '../core/schema'
import { CRON_RUNS_KEPT, type CronResult, type ScheduleView } from './schedules'

// The scheduling side of a name's Durable Object (NameClaim): when the current deployment's crons
// next run, and the last runs. The object's alarm wakes it for the next run; nothing loops over
// all workers.

/** The next planned run: when, which crons then, and the full list it was planned from. */
interface CronPlan {
  at: number
  crons: string[]
  planned: string[]
}

const planSchema: GenericSchema<CronPlan> = looseObject({
  at: number(),
  crons: array(string()),
  planned: array(string()),
})

const PLAN_KEY = 'cron'

export class CronRuns {
  constructor(private readonly storage: DurableObjectStorage) {}

  /**
   * Plans the next run for the record's current deployment; none for a free name or no crons. A
   * plan made from the same crons is kept, so a change that leaves them alone (a deploy of new code,
   * a logs read) neither skips nor repeats a run.
   */
  async plan(record: WorkerRecord | null, now: number): Promise<void> {
    // A suspended worker's schedule is not planned (operators/suspension.ts): nothing runs, and its resume plans it again.
    const crons = record && !record.suspended ? (currentDeployment(record)?.settings?.crons ?? []) : []
    const current = await this.next()
    if (current && sameList(current.planned, crons)) return
    const due = nextDue(crons, now)
    if (due) await this.storage.put<CronPlan>(PLAN_KEY, { ...due, planned: crons })
    else await this.storage.delete(PLAN_KEY)
  }

  /** The next planned run, if any. */
  async next(): Promise<CronPlan | undefined> {
    return parseStored(optional(planSchema), await this.storage.get(PLAN_KEY), 'The name’s cron plan')
  }

  /**
   * Runs what is due at `now`, once per cron: times missed while nothing woke the object collapse
   * into one run, for the time that was due. The next run is planned from `now`. Never throws: a
   * failure is the run's outcome, recorded like any other, and the plan moves on.
   */
  async runDue(
    now: number,
    record: WorkerRecord | null,
    run: (cron: string, scheduledTime: number) => Promise<CronResult>,
    log: (lines: LogLine[]) => Promise<void>,
    /** Whether the runs' owner still holds the name once a run is over (see core/generation.ts). */
    stillHeld: () => Promise<boolean> = () => Promise.resolve(true),
  ): Promise<void> {
    const due = await this.next()
    if (!due || due.at > now) return
    const crons = record ? (currentDeployment(record)?.settings?.crons ?? []) : []
    await this.storage.delete(PLAN_KEY)
    for (const cron of due.crons.filter((entry) => crons.includes(entry))) {
      const startedAt = Date.now()
      let result: CronResult
      try {
        result = await run(cron, due.at)
      } catch (error) {
        // The platform's own call failed: the run is recorded as the platform's error.
        const failed: CronRun = {
          at: new Date(due.at).toISOString(),
          cron,
          trigger: 'schedule',
          outcome: 'error',
          durationMs: Date.now() - startedAt,
        }
        result = {
          run: failed,
          note: {
            at: new Date().toISOString(),
            level: 'exception',
            message: `scheduled() for "${cron}" could not start (${error instanceof Error ? error.name : 'error'}).`,
          },
        }
      }
      // The name changed hands while the run ran: its result and its plan are not the new owner's.
      if (!(await stillHeld())) return
      this.record(result.run)
      if (result.note) await log([result.note]).catch(() => {})
    }
    await this.plan(record, now)
  }

  /** Records a run, keeping the last CRON_RUNS_KEPT. */
  record(run: CronRun): void {
    const sql = this.table()
    sql.exec('INSERT INTO cron_runs (run) VALUES (?)', JSON.stringify(run))
    sql.exec('DELETE FROM cron_runs WHERE id <= (SELECT MAX(id) FROM cron_runs) - ?', CRON_RUNS_KEPT)
  }

  /** What the worker page and the API show of a record's schedule: its crons, the next run, the last runs. */
  async view(record: WorkerRecord): Promise<ScheduleView> {
    const next = await this.next()
    const crons = currentDeployment(record)?.settings?.crons ?? []
    return { crons, nextRunAt: next ? new Date(next.at).toISOString() : null, runs: this.recent() }
  }

  /** The last runs, newest first. */
  recent(): CronRun[] {
    const rows = this.table().exec<{ run: string }>('SELECT run FROM cron_runs ORDER BY id DESC')
    return rows.toArray().map((row) => parseStoredJson(cronRunSchema, row.run, 'A stored cron run'))
  }

  /** Forgets the plan and the runs (the name was freed). */
  async clear(): Promise<void> {
    await this.storage.delete(PLAN_KEY)
    this.storage.sql.exec('DROP TABLE IF EXISTS cron_runs')
  }

  /** The runs table, created on first use (runs are rare; the statement is cheap). */
  private table(): SqlStorage {
    const sql = this.storage.sql
    sql.exec('CREATE TABLE IF NOT EXISTS cron_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, run TEXT)')
    return sql
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((entry, index) => entry === b[index])
}
