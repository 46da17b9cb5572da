import { PlatformError } from '../core/errors'
import type { Suspension, WorkerRecord } from '../core/model'

// What a suspension stops (docs/operators.md): the worker serves no request (dispatch answers 503
// with the platform's page), runs no cron and no Durable Object alarm, opens no tail, and takes no
// deploy, promote or settings change from its owner, until an admin resumes it.

/** The suspension as a record carries it, for `at` now. */
export function suspension(reason: string, scope: Suspension['scope'], now: number): Suspension {
  return { at: new Date(now).toISOString(), reason, scope }
}

/** Dispatch's answer for a suspended worker: 503, the reason kept for its owner's page. */
export function suspendedWorker(name: string): PlatformError {
  return new PlatformError('worker_suspended', `The worker "${name}" is suspended by the platform's operator.`, {
    'Retry-After': '3600',
  })
}

/** Refuses a new worker of a suspended account. */
export function assertAccountActive(suspension: { reason: string } | null): void {
  if (!suspension) return
  throw new PlatformError(
    'forbidden',
    `This account is suspended by the platform's operator (${suspension.reason}): it cannot create workers. An admin can resume it.`,
  )
}

/** Refuses an owner's change to a suspended worker (a deploy, promote, rollback, setting or tail), naming why. */
export function assertNotSuspended(record: WorkerRecord | null, what: string): void {
  if (!record?.suspended) return
  const { reason, scope } = record.suspended
  const whose = scope === 'account' ? 'its account is' : 'it is'
  throw new PlatformError(
    'forbidden',
    `"${record.name}" cannot ${what}: ${whose} suspended by the platform's operator (${reason}). An admin can resume it.`,
  )
}
