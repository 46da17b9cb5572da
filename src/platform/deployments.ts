import { randomBytes } from '../lib/crypto'
import { toHex } from '../lib/encoding'
import type { Deployment, WorkerRecord } from './model'

/** Deployments kept (and offered for rollback) per worker. */
export const RETAINED_DEPLOYMENTS = 10

/** Labels are short free text shown in the history. */
export const MAX_LABEL_LENGTH = 80

/** A change to a name's record, and the Worker IDs whose code it lets go of. */
export interface Transition {
  record: WorkerRecord
  /** Worker IDs whose code may now be deleted from the backend. */
  expired: string[]
}

/**
 * A fresh Worker ID for every deployment: a time prefix (sortable, readable in the Cloudflare
 * dashboard) and 80 random bits. IDs are never reused, so a Worker ID names one immutable bundle.
 */
export function newWorkerId(now: number): string {
  return `w-${now.toString(36)}-${toHex(randomBytes(10))}`
}

export function nextSequence(previous: WorkerRecord | null): number {
  return (previous?.deployments[0]?.sequence ?? 0) + 1
}

/** A label as stored: whitespace collapsed and capped; blank means "use the default". */
export function cleanLabel(label: string | undefined): string | undefined {
  const trimmed = label?.replace(/\s+/g, ' ').trim()
  return trimmed ? trimmed.slice(0, MAX_LABEL_LENGTH) : undefined
}

export function currentDeployment(record: WorkerRecord): Deployment | undefined {
  return record.deployments.find((deployment) => deployment.workerId === record.workerId)
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
  const dropped = history
    .slice(RETAINED_DEPLOYMENTS)
    .map((old) => ({ workerId: old.workerId, retiredAt: deployment.createdAt }))
  const record: WorkerRecord = {
    // Anything else the record carries (log capture, for one) outlives the deploy.
    ...previous,
    ...base,
    workerId: deployment.workerId,
    createdAt: previous?.createdAt ?? deployment.createdAt,
    updatedAt: deployment.createdAt,
    deployments: history.slice(0, RETAINED_DEPLOYMENTS),
    retired: [...(previous?.retired ?? []), ...dropped],
  }
  return settle(record, graceMs, now)
}

/** The record with an earlier deployment current again; nothing is uploaded, the mapping flips. */
export function withRollback(record: WorkerRecord, workerId: string, graceMs: number, now: number): Transition | null {
  if (!record.deployments.some((deployment) => deployment.workerId === workerId)) return null
  return settle({ ...record, workerId, updatedAt: new Date(now).toISOString() }, graceMs, now)
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
