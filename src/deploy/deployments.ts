import { namedStores } from '../storage/refs'
import type { UserWorkerBackend } from '../backends/backend'
import type { Registry } from '../names/registry'
import { previewId } from '../core/urls'
import { randomBytes } from '../lib/crypto'
import { toHex } from '../lib/encoding'
import { captureAfterChange } from '../logs/logs'
import type { Deployment, WorkerRecord, WorkerSettings } from '../core/model'

/** Deployments kept (and offered for rollback) per worker. */
export const RETAINED_DEPLOYMENTS = 10

/** Labels are short free text shown in the history. */
export const MAX_LABEL_LENGTH = 80

/** A change to a name's record, and the Worker IDs whose code it lets go of. */
/**
 * How long after a change replaced code is kept (DEPLOYMENT_GRACE_SECONDS) and logs are captured
 * (LOG_CAPTURE_AFTER_DEPLOY_MINUTES).
 */
export interface ChangeTiming {
  graceMs: number
  captureMs: number
}

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

/** Whether `value` has the shape of an ID that newWorkerId makes. */
export function isWorkerId(value: string): boolean {
  return /^w-[0-9a-z]+-[0-9a-f]{20}$/.test(value)
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

/**
 * The record after a new deployment: it becomes current, or with `promote` false it joins the
 * history as a candidate (served only at its preview URL) while the mapping stays as it was. The
 * oldest deployments beyond the history retire — never the one serving.
 */
export function withDeployment(
  previous: WorkerRecord | null,
  base: Pick<WorkerRecord, 'name' | 'ownerId' | 'backend'>,
  deployment: Deployment,
  timing: ChangeTiming,
  now: number,
  promote = true,
): Transition {
  const serving = promote || !previous ? deployment.workerId : previous.workerId
  const history = [deployment, ...(previous?.deployments ?? [])]
  const kept = history.slice(0, RETAINED_DEPLOYMENTS)
  if (!kept.some((entry) => entry.workerId === serving)) {
    kept.splice(RETAINED_DEPLOYMENTS - 1, 1, history.find((entry) => entry.workerId === serving) as Deployment)
  }
  const dropped = history
    .filter((entry) => !kept.includes(entry))
    .map((old) => ({ workerId: old.workerId, retiredAt: deployment.createdAt }))
  const rollout = previous?.rollout
  const record: WorkerRecord = {
    // Anything else the record carries (log capture, for one) outlives the deploy.
    ...(previous ? withoutRollout(previous) : {}),
    // A deploy that goes live ends a gradual rollout (one deployment serves everyone); a candidate keeps it.
    ...(rollout && serving !== deployment.workerId ? { rollout } : {}),
    ...base,
    workerId: serving,
    createdAt: previous?.createdAt ?? deployment.createdAt,
    // When the mapping last changed: a candidate does not change it.
    updatedAt: serving === deployment.workerId ? deployment.createdAt : (previous?.updatedAt ?? deployment.createdAt),
    deployments: kept,
    retired: [...(previous?.retired ?? []), ...dropped],
    // Its owner tries a new version right away: capture its logs without a read first.
    ...logCapture(captureAfterChange(previous?.logsUntil, now, timing.captureMs)),
    ...storesAfter(previous, deployment),
  }
  return settle(record, timing.graceMs, now)
}

/** The record without its gradual rollout (deploy/rollouts.ts): everyone gets what it serves. */
export function withoutRollout({ rollout: _rollout, ...record }: WorkerRecord): WorkerRecord {
  return record
}

/**
 * The record with another retained deployment current: a rollback to an older one or the promotion
 * of a candidate. Nothing is uploaded, the mapping flips.
 */
export function withCurrent(
  record: WorkerRecord,
  workerId: string,
  timing: ChangeTiming,
  now: number,
): Transition | null {
  if (!record.deployments.some((deployment) => deployment.workerId === workerId)) return null
  const logsUntil = logCapture(captureAfterChange(record.logsUntil, now, timing.captureMs))
  // A promote or rollback ends a gradual rollout: one deployment serves everyone again.
  return settle(
    { ...withoutRollout(record), workerId, updatedAt: new Date(now).toISOString(), ...logsUntil },
    timing.graceMs,
    now,
  )
}

const logCapture = (logsUntil: string | undefined) => (logsUntil === undefined ? {} : { logsUntil })

/** Splits off retired deployments whose grace period (longer than KV propagation) is over. */
function settle(record: WorkerRecord, graceMs: number, now: number): Transition {
  const cutoff = now - graceMs
  const expired = record.retired.filter((entry) => Date.parse(entry.retiredAt) <= cutoff)
  return {
    record: { ...record, retired: record.retired.filter((entry) => !expired.includes(entry)) },
    expired: expired.map((entry) => entry.workerId),
  }
}

/**
 * Deletes what a deployment left behind once nothing serves it: its code, then its preview alias
 * (which pointed only at that code). Both are idempotent, so a retry repeats them safely.
 */
export async function removeDeployment(
  workerId: string,
  backend: Pick<UserWorkerBackend, 'remove'>,
  registry: Pick<Registry, 'deletePreview'>,
): Promise<void> {
  await backend.remove(workerId)
  await registry.deletePreview(previewId(workerId))
}

/** Every store the worker has declared, these settings' included (kept for its deletion). */
export function storesWith(previous: WorkerRecord | null, settings: WorkerSettings | undefined): string[] {
  return [
    ...new Set([...(previous?.stores ?? []), ...namedStores(settings?.storage).map((named) => named.store)]),
  ].sort()
}

/** The record's list of stores after this deployment (absent while there are none). */
function storesAfter(previous: WorkerRecord | null, deployment: Deployment): Pick<WorkerRecord, 'stores'> {
  const stores = storesWith(previous, deployment.settings)
  return stores.length > 0 ? { stores } : {}
}
