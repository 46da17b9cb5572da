import { PlatformError } from '../core/errors'
import type { Deployment, Rollout, WorkerRecord } from '../core/model'
import { currentDeployment } from './deployments'

// Gradual rollouts with version affinity (docs/deployments.md#gradual-rollouts), as Cloudflare
// advises platforms: a candidate serves `percent` of visitors and the current deployment the rest.
// Each visitor has a key the platform controls — never the client's Cloudflare-Workers-Version-Key
// — hashed with the worker's name into one of 10,000 buckets; a bucket below the percentage gets
// the candidate. Raising the percentage only moves buckets from the current deployment to the
// candidate, and a visitor keeps its deployment while the percentage stays.

/** Headers a client might send to pick a version itself: dispatch removes them. */
export const VERSION_HEADERS = ['Cloudflare-Workers-Version-Key', 'Cloudflare-Workers-Version-Overrides'] as const

const BUCKETS = 10_000

/** The bucket of a visitor's key for a worker, in [0, 100): FNV-1a over both (uniform enough; not a secret). */
export function bucketOf(name: string, key: string): number {
  let hash = 0x811c9dc5
  const text = `${name}\u0000${key}`
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  // A final mix, so keys that differ only in their last characters spread over every bucket.
  hash ^= hash >>> 15
  hash = Math.imul(hash, 0x2c1b3c6d)
  hash ^= hash >>> 12
  return ((hash >>> 0) % BUCKETS) / (BUCKETS / 100)
}

/** Which deployment serves a visitor with `key`: the candidate when its bucket is under the percentage. */
export function rolloutPick(name: string, rollout: Rollout, key: string): 'candidate' | 'current' {
  return bucketOf(name, key) < rollout.percent ? 'candidate' : 'current'
}

/**
 * The record with `workerId` rolled out to `percent` (1–99) of visitors: a retained deployment other
 * than the current one, that brought no migrations (Cloudflare refuses those gradually too: the
 * schema would change under the visitors of both). 100 is a promote, 0 an abort.
 */
export function withRollout(record: WorkerRecord, workerId: string, percent: number, now: number): WorkerRecord {
  if (!Number.isInteger(percent) || percent < 1 || percent > 99) {
    throw invalid('A rollout takes a whole percentage from 1 to 99: promote to serve it to everyone, or abort.')
  }
  const candidate = record.deployments.find((deployment) => deployment.workerId === workerId)
  if (!candidate) {
    throw new PlatformError('deployment_not_found', `"${record.name}" has no retained deployment "${workerId}".`)
  }
  if (candidate.workerId === record.workerId)
    throw invalid(`${candidate.label} is what "${record.name}" serves already.`)
  assertNoMigrations(candidate)
  // The same candidate keeps its start; another one starts over.
  const startedAt = record.rollout?.candidate === workerId ? record.rollout.startedAt : new Date(now).toISOString()
  return { ...record, rollout: { candidate: workerId, percent, startedAt } }
}

/** The deployment a rollout serves to its share, when it is still retained. */
export function rolloutCandidate(record: WorkerRecord): Deployment | undefined {
  const { rollout } = record
  if (!rollout || rollout.candidate === currentDeployment(record)?.workerId) return undefined
  return record.deployments.find((deployment) => deployment.workerId === rollout.candidate)
}

function assertNoMigrations(candidate: Deployment): void {
  if (candidate.migrations) {
    throw invalid(
      `${candidate.label} brought D1 or Durable Object migrations, which change the schema under every deployment: promote it, or deploy its migrations first. A gradual rollout cannot carry them (as on Cloudflare).`,
    )
  }
}

function invalid(message: string): PlatformError {
  return new PlatformError('invalid_request', message)
}
