import { WorkerEntrypoint } from 'cloudflare:workers'
import { platformFor } from '../platform/index'
import type { CronJob, CronResult } from './schedules'

/**
 * Runs a worker's scheduled() for its name's Durable Object, whose alarm says when: the object cannot
 * import the platform (that would be an import cycle), so it calls this entrypoint of its
 * own Worker, which runs the job exactly as "Run now" does (Scheduler.run).
 */
export class CronRunner extends WorkerEntrypoint<Env> {
  run(job: CronJob): Promise<CronResult> {
    return platformFor(this.env).cron.run(job)
  }
}
