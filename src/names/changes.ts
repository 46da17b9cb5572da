import type { Accounts } from '../accounts/accounts'
import { looksLikeApiToken } from '../accounts/tokens'
import type { UserWorkerBackend } from '../backends/backend'
import type { Config } from '../core/config'
import { unknownToken, workerNotFound } from '../core/errors'
import { bestEffort, type RequestScope } from '../core/follow-up'
import type { WorkerRecord } from '../core/model'
import { assertValidName } from '../core/names'
import { removeDeployment } from '../deploy/deployments'
import { secretsEqual } from '../lib/crypto'
import type { Change, Committed, Lease } from './lease'
import type { NameClaim } from './name-claim.do'
import type { Credential, Proof } from './ownership'
import { refusal } from './refusals'
import { auditSource } from './audit-source'
import type { Registry } from './registry'

export type ClaimStub = DurableObjectStub<NameClaim>

/** A change worked out under the name's lease, ready to commit. */
export interface HeldChange {
  claim: ClaimStub
  lease: Lease
  change: Change
}

/**
 * The protocol every change to a name follows: take the name's lease in its Durable Object (the
 * authority), work out the change, commit it there, then bring KV in line and end the lease. Any
 * failure before the commit gives the lease back unchanged; whatever fails after it, the object's
 * outbox does later, so the change stands.
 */
export class NameChanges {
  constructor(
    private readonly parts: {
      config: Pick<Config, 'adminToken'>
      claims: DurableObjectNamespace<NameClaim>
      registry: Pick<Registry, 'put' | 'deletePreview'>
      backend: Pick<UserWorkerBackend, 'remove'>
      accounts: Pick<Accounts, 'authenticate' | 'addWorker'>
    },
  ) {}

  /** The name's Durable Object. */
  claim(name: string): ClaimStub {
    return this.parts.claims.getByName(name)
  }

  /**
   * Who a proof speaks for, resolved in this one place: an admin token and an API token (its account,
   * 401 when it is not live) are checked here, a deploy token by the name's object; a credential the
   * console established from its session is taken as it is.
   */
  async credential(proof: Proof): Promise<Credential> {
    if (typeof proof === 'object') return proof
    const token = proof
    if (token && looksLikeApiToken(token)) {
      const accountId = await this.parts.accounts.authenticate(token)
      if (!accountId) throw unknownToken()
      return { admin: false, accountId }
    }
    const { adminToken } = this.parts.config
    const admin = Boolean(token && adminToken && (await secretsEqual(token, adminToken)))
    return { token, admin }
  }

  /** Takes the name's lease for the token's holder, or throws why not. */
  async acquire(
    claim: ClaimStub,
    token: Proof,
    scope: RequestScope,
    deploy?: { uploading: string; startedAt: number },
  ): Promise<Lease> {
    const credential = await this.credential(token)
    const lease = await claim.acquire(credential, deploy, auditSource(credential, scope))
    if (!lease.ok) throw refusal(lease.reason, 'change')
    return lease
  }

  /**
   * Takes the lease of an existing worker and works out a change to it; any failure gives the
   * lease back unchanged. The caller commits the change.
   */
  async changeExisting(
    name: string,
    token: Proof,
    scope: RequestScope,
    work: (record: WorkerRecord) => Change,
  ): Promise<HeldChange> {
    const claim = this.claim(assertValidName(name))
    const lease = await this.acquire(claim, token, scope)
    try {
      // The name's object is the authority: a record KV still shows (it lags) does not count.
      if (!lease.current) throw workerNotFound(name)
      return { claim, lease, change: work(lease.current) }
    } catch (error) {
      claim.abort(lease.leaseId).catch(() => {})
      throw error
    }
  }

  /**
   * Changes an existing worker's record without an upload (a suspension, a rollout, a budget): under
   * the name's lease, committed, KV brought in line. `next` may throw to refuse it (nothing changes).
   */
  async updateRecord(
    name: string,
    proof: Proof,
    ctx: RequestScope,
    next: (record: WorkerRecord) => WorkerRecord,
  ): Promise<WorkerRecord> {
    const held = await this.changeExisting(name, proof, ctx, (record) => ({
      record: next(record),
      expired: [],
      claim: false,
    }))
    return (await this.commit(held, ctx)).record ?? held.change.record
  }

  /**
   * Commits a change in the name's object, then — still holding the lease, so no later change can
   * overtake it — brings KV in line and ends the lease; code that left the history is deleted after
   * the response.
   */
  async commit({ claim, lease, change }: HeldChange, ctx: RequestScope): Promise<Committed> {
    let committed: Committed
    try {
      committed = await claim.commit(lease.leaseId, change)
    } catch (error) {
      claim.abort(lease.leaseId).catch(() => {})
      throw error
    }
    const { registry } = this.parts
    // The record as the object stored it (with its owner's account), so KV has what dispatch needs.
    const record = committed.record ?? change.record
    const mappingSynced = await bestEffort(`update the mapping of "${record.name}"`, () => registry.put(record))
    await bestEffort('end the lease', () => claim.release(lease.leaseId, { mappingSynced }))
    const { accountId } = committed
    if (accountId) {
      await bestEffort(`list "${change.record.name}" under its account`, () =>
        this.parts.accounts.addWorker(accountId, change.record.name),
      )
    }
    if (change.expired.length > 0) {
      ctx.waitUntil(
        Promise.all(change.expired.map((id) => this.removeCode(id).then((ok) => (ok ? id : null)))).then((ids) =>
          claim.settle({ mappingSynced: false, removed: ids.filter((id) => id !== null) }),
        ),
      )
    }
    return committed
  }

  /** Deletes one deployment's code and preview link; false (retried by the outbox) when it failed. */
  removeCode(workerId: string): Promise<boolean> {
    return bestEffort(`delete the code of ${workerId}`, () =>
      removeDeployment(workerId, this.parts.backend, this.parts.registry),
    )
  }
}
