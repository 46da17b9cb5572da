import type { Config } from '../config'
import type { UserWorkerBackend } from './backend'
import { bundleSize, type WorkerBundle } from './bundle'
import { checkBundle } from './check'
import type { Lease, LeaseRefusal, NameClaim } from './claims'
import { PlatformError } from './errors'
import { newWorkerId, sha256Hex } from './ids'
import { assertValidName } from './names'
import type { Registry, WorkerPage, WorkerRecord } from './registry'
import { secretsEqual } from './tokens'

/**
 * How long a replaced Worker ID keeps its code: longer than KV's propagation delay (~60 s), so a
 * location still reading the old mapping never dispatches to deleted code.
 */
export const RETIRED_GRACE_MS = 120_000

export interface DeployResult {
  record: WorkerRecord
  created: boolean
  /** The deploy token, present only when this upload claimed the name. */
  token?: string
  /** One-time key to show that token again on the page the form redirects to. */
  revealId?: string
}

/** Background work the runtime should finish after the response (ExecutionContext.waitUntil). */
export type WaitUntil = (promise: Promise<unknown>) => void

const REFUSALS: Record<LeaseRefusal['reason'], PlatformError> = {
  name_taken: new PlatformError('name_taken', 'This name was just claimed by another upload. Choose another name.'),
  token_required: new PlatformError(
    'forbidden',
    'This name is taken. To change it, give its deploy token (form field "token" or "Authorization: Bearer <token>").',
  ),
  token_invalid: new PlatformError('forbidden', 'That deploy token does not match this worker.'),
}

/** The platform's use cases: deploy, look up, list and remove user Workers. */
export class PlatformService {
  constructor(
    readonly config: Config,
    readonly backend: UserWorkerBackend,
    private readonly registry: Registry,
    private readonly claims: DurableObjectNamespace<NameClaim>,
    private readonly loader: WorkerLoader | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Deploys under a fresh Worker ID while holding the name's lease, then flips the mapping: a refused
   * or failed upload leaves the previous version serving. The first upload of a free name claims it.
   */
  async deploy(name: string, bundle: WorkerBundle, token: string | undefined, waitUntil: WaitUntil): Promise<DeployResult> {
    assertValidName(name)
    // Both backends check locally first: fast feedback with the runtime's own message, no lock held.
    if (this.loader) await checkBundle(this.loader, bundle, this.config.userCompatibilityDate)

    const claim = this.claims.getByName(name)
    const lease = await this.acquire(claim, token)
    const workerId = newWorkerId(this.now())
    // Until the mapping flips, a failure must delete the new code; after, it is what the name serves.
    let orphan = false
    try {
      await this.backend.deploy(workerId, bundle, { name, ownerId: lease.ownerId })
      orphan = true
      const previous = lease.current ?? (await this.registry.get(name))
      const { record, expired } = await this.nextRecord(name, workerId, lease.ownerId, bundle, previous)
      // One KV write per deploy (KV allows about one write per second to a key).
      await this.registry.put(record)
      orphan = false
      const committed = await claim.commitDeploy(lease.leaseId, record)
      waitUntil(Promise.all(expired.map((id) => this.backend.remove(id))))
      return { record, created: previous === null, ...committed }
    } catch (error) {
      await claim.abort(lease.leaseId)
      if (orphan) waitUntil(this.backend.remove(workerId))
      throw error
    }
  }

  /** Dispatch hot path: may be a few seconds stale (see Registry). */
  lookup(name: string): Promise<WorkerRecord | null> {
    return this.registry.lookup(name)
  }

  async get(name: string): Promise<WorkerRecord> {
    const record = await this.registry.get(assertValidName(name))
    if (!record) throw new PlatformError('worker_not_found', `There is no worker named "${name}".`)
    return record
  }

  list(options: { limit: number; cursor?: string }): Promise<WorkerPage> {
    return this.registry.list(options)
  }

  /** Removes the mapping first (the name stops serving), then every Worker ID it used; frees the name. */
  async remove(name: string, token: string | undefined): Promise<WorkerRecord> {
    assertValidName(name)
    const claim = this.claims.getByName(name)
    const lease = await this.acquire(claim, token)
    try {
      const record = lease.current ?? (await this.registry.get(name))
      if (!record) throw new PlatformError('worker_not_found', `There is no worker named "${name}".`)
      await this.registry.delete(name)
      const ids = [record.workerId, ...record.retired.map((retired) => retired.workerId)]
      await Promise.all(ids.map((id) => this.backend.remove(id)))
      await claim.commitDelete(lease.leaseId)
      return record
    } catch (error) {
      await claim.abort(lease.leaseId)
      throw error
    }
  }

  /** The deploy token of a fresh claim, once, for the page the upload form redirects to. */
  takeRevealedToken(name: string, revealId: string): Promise<string | null> {
    return this.claims.getByName(assertValidName(name)).takeReveal(revealId)
  }

  private async acquire(claim: DurableObjectStub<NameClaim>, token: string | undefined): Promise<Lease> {
    const admin = Boolean(token && this.config.adminToken && (await secretsEqual(token, this.config.adminToken)))
    const lease = await claim.acquire({ token, admin })
    if (!lease.ok) throw REFUSALS[lease.reason]
    return lease
  }

  private async nextRecord(name: string, workerId: string, ownerId: string, bundle: WorkerBundle, previous: WorkerRecord | null) {
    const timestamp = new Date(this.now()).toISOString()
    const retired = previous ? [...previous.retired, { workerId: previous.workerId, retiredAt: timestamp }] : []
    const cutoff = this.now() - RETIRED_GRACE_MS
    const expired = retired.filter((entry) => Date.parse(entry.retiredAt) <= cutoff)
    const record: WorkerRecord = {
      name,
      workerId,
      ownerId,
      backend: this.backend.kind,
      createdAt: previous?.createdAt ?? timestamp,
      updatedAt: timestamp,
      size: bundleSize(bundle),
      sha256: await sha256Hex(bundle.modules.map((module) => module.content).join('\0')),
      retired: retired.filter((entry) => !expired.includes(entry)),
    }
    return { record, expired: expired.map((entry) => entry.workerId) }
  }
}
