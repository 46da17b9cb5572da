import { WorkerEntrypoint } from 'cloudflare:workers'
import type { CronJob, CronResult } from '../cron/schedules'
import { platformFor } from './index'

/**
 * Runs a worker's scheduled() for its name's Durable Object, whose alarm says when: the object is
 * part of a feature and cannot import the platform that composes the features (lint forbids it, and
 * it would be an import cycle), so it calls this entrypoint of its own Worker, which runs the job
 * exactly as "Run now" does (Scheduler.run). It lives here, with the composition, for that reason.
 */
export class CronRunner extends WorkerEntrypoint<Env> {
  run(job: CronJob): Promise<CronResult> {
    return platformFor(this.env).cron.run(job)
  }
}
