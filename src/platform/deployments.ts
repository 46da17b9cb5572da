import type { WorkerRecord } from './registry'
import type { WorkerSettings } from './settings'

/** One immutable upload of a worker: its Worker ID names exactly this code, forever. */
export interface Deployment {
  workerId: string
  /** 1 for a name's first upload, then counting up (names reused after a delete start again). */
  sequence: number
  createdAt: string
  size: number
  sha256: string
  label: string
  /** Vars, secret names, egress and limits this deployment runs with (absent on older records). */
  settings?: WorkerSettings
}

/** A deployment that left the history; its code is deleted once no location can still use it. */
export interface RetiredDeployment {
  workerId: string
  retiredAt: string
}

/** Deployments kept (and offered for rollback) per worker. */
export const RETAINED_DEPLOYMENTS = 10

export interface Transition {
  record: WorkerRecord
  /** Worker IDs whose code may now be deleted from the backend. */
  expired: string[]
}

export function nextSequence(previous: WorkerRecord | null): number {
  return (previous?.deployments[0]?.sequence ?? 0) + 1
}

/** The record after a new deployment becomes current; the oldest ones beyond the history retire. */
export function withDeployment(
  previous: WorkerRecord | null,
  base: Pick<WorkerRecord, 'name' | 'ownerId' | 'backend'>,
  deployment: Deployment,
  graceMs: number,
  now: number,
): Transition {
  const history = [deployment, ...(previous?.deployments ?? [])]
  const kept = history.slice(0, RETAINED_DEPLOYMENTS)
  const dropped = history.slice(RETAINED_DEPLOYMENTS).map((old) => ({ workerId: old.workerId, retiredAt: deployment.createdAt }))
  return settle(
    {
      ...base,
      workerId: deployment.workerId,
      createdAt: previous?.createdAt ?? deployment.createdAt,
      updatedAt: deployment.createdAt,
      deployments: kept,
      retired: [...(previous?.retired ?? []), ...dropped],
    },
    graceMs,
    now,
  )
}

/** The record with an earlier deployment current again; nothing is uploaded, the mapping flips. */
export function withRollback(record: WorkerRecord, workerId: string, graceMs: number, now: number): Transition | null {
  if (!record.deployments.some((deployment) => deployment.workerId === workerId)) return null
  return settle({ ...record, workerId, updatedAt: new Date(now).toISOString() }, graceMs, now)
}

export function currentDeployment(record: WorkerRecord): Deployment | undefined {
  return record.deployments.find((deployment) => deployment.workerId === record.workerId)
}

/** Splits off retired deployments whose grace period (longer than KV propagation) is over. */
function settle(record: WorkerRecord, graceMs: number, now: number): Transition {
  const cutoff = now - graceMs
  const expired = record.retired.filter((entry) => Date.parse(entry.retiredAt) <= cutoff)
  return {
    record: { ...record, retired: record.retired.filter((entry) => !expired.includes(entry)) },
    expired: expired.map((entry) => entry.workerId),
  }
}
