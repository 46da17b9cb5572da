import type { RequestScope } from '../core/follow-up'
import { auditSource } from './audit-source'
import type { Accounts } from '../accounts/accounts'
import type { UserWorkerBackend } from '../backends/backend'
import { PlatformError, workerNotFound } from '../core/errors'
import { bestEffort } from '../core/follow-up'
import type { WorkerBundle, WorkerList, WorkerRecord } from '../core/model'
import { assertValidName } from '../core/names'
import { currentDeployment } from '../deploy/deployments'
import type { WorkerWiring } from '../dispatch/wiring'
import type { MetricsReader } from '../metrics/metrics-reader'
import { storageRefsOf } from '../storage/refs'
import { withoutStorageShim } from '../storage/shim'
import type { TenantStorage } from '../storage/store'
import type { NameChanges } from './changes'
import type { OwnerEvent } from './owner-changes'
import type { Proof } from './ownership'
import { refusal } from './refusals'
import { releaseDomains } from '../domains/release'
import type { Registry } from './registry'

/** Workers per page of the list (one KV list call). */
export const LIST_PAGE_SIZE = 50

/** The workers by name: find, list, read the code of and remove them. */
export class Workers {
  constructor(
    private readonly parts: {
      changes: NameChanges
      registry: Pick<Registry, 'list' | 'listTagged' | 'delete'>
      backend: Pick<UserWorkerBackend, 'code'>
      wiring: WorkerWiring
      storage: Pick<TenantStorage, 'purge'>
      metrics: MetricsReader
      accounts: Pick<Accounts, 'require' | 'addWorker' | 'removeWorker' | 'revokeToken' | 'view'>
      domainObjects: Pick<Env, 'CUSTOM_DOMAINS'>
    },
  ) {}

  /** The current record of a name (from its Durable Object, not KV), or null for a free name. */
  find(name: string): Promise<WorkerRecord | null> {
    return this.parts.changes.claim(assertValidName(name)).current()
  }

  async get(name: string): Promise<WorkerRecord> {
    const record = await this.find(name)
    if (!record) throw workerNotFound(name)
    return record
  }

  /** One page of the worker list, or of those tagged `tag`; a stale or forged cursor is the caller's error. */
  async list(cursor: string | undefined, tag?: string): Promise<WorkerList> {
    const options = { limit: LIST_PAGE_SIZE, cursor: cursor || undefined }
    try {
      return tag ? await this.parts.registry.listTagged(tag, options) : await this.parts.registry.list(options)
    } catch (error) {
      if (!cursor) throw error
      throw new PlatformError('invalid_request', 'That page link is no longer valid. Start again from the first page.')
    }
  }

  /**
   * Frees the name: its object forgets owner, record, secrets and logs in one commit, then the
   * mapping goes (the name stops serving), then every Worker ID it used.
   */
  async remove(name: string, token: Proof, scope: RequestScope): Promise<WorkerRecord> {
    const { changes, registry, storage, metrics, accounts, domainObjects } = this.parts
    const { claim, lease, change } = await changes.changeExisting(name, token, scope, (record) => ({
      record,
      expired: [],
      claim: false,
    }))
    const { record } = change
    const { accountId, domains } = await claim.commitDelete(lease.leaseId)
    // The data goes with the name (the name's outbox retries what fails here).
    const storagePurged = await bestEffort(`delete the data of "${name}"`, async () => {
      await Promise.all(storageRefsOf(record).map((ref) => storage.purge(ref)))
    })
    // Its custom domains stop serving and are deleted on the zone (retried by the outbox as well).
    const domainsReleased = await bestEffort(`release the domains of "${name}"`, () =>
      releaseDomains(domainObjects, domains),
    )
    const mappingSynced = await bestEffort(`delete the mapping of "${name}"`, () => registry.delete(name))
    const removed: string[] = []
    if (mappingSynced) {
      const ids = [...record.deployments, ...record.retired].map((entry) => entry.workerId)
      await Promise.all(
        ids.map(async (id) => {
          if (await changes.removeCode(id)) removed.push(id)
        }),
      )
    }
    await bestEffort('end the lease', () =>
      claim.release(lease.leaseId, { mappingSynced, removed, storagePurged, domainsReleased }),
    )
    // Reads start at the record's creation anyway, so metrics a late flush brings back never show.
    await bestEffort(`forget the metrics of "${name}"`, () => metrics.forget(record))
    if (accountId) await bestEffort(`unlist "${name}" from its account`, () => accounts.removeWorker(accountId, name))
    return record
  }

  /**
   * The workers tagged `tag` now, at most `max`: found in the list (KV, which may lag), each checked
   * against its name's object, the authority. Sorted by name.
   */
  async tagged(tag: string, max: number): Promise<WorkerRecord[]> {
    const names: string[] = []
    let cursor: string | undefined
    do {
      const page = await this.list(cursor, tag)
      names.push(...page.workers.map((worker) => worker.name))
      cursor = page.cursor
    } while (cursor && names.length < max)
    const records = await Promise.all(names.slice(0, max).map((name) => this.find(name)))
    return records
      .filter((record) => record !== null && currentDeployment(record)?.settings?.tags?.includes(tag))
      .map((record) => record!)
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  /** A new deploy token for a worker (the old one stops working at once), returned this once. */
  async rotateToken(name: string, token: Proof, scope: RequestScope): Promise<string> {
    const { changes } = this.parts
    const credential = await changes.credential(token)
    const rotated = await changes.claim(assertValidName(name)).rotateToken(credential, auditSource(credential, scope))
    if (!rotated.ok) throw refusal(rotated.reason, 'change')
    if (!rotated.found) throw workerNotFound(name)
    return rotated.token
  }

  /**
   * Revokes an API token of an account (refused by its next request, its sessions ended), and notes
   * it in the owner history of each of the account's workers.
   */
  async revokeApiToken(accountId: string, tokenId: string, scope: RequestScope): Promise<void> {
    const { accounts } = this.parts
    await accounts.revokeToken(accountId, tokenId, scope)
    const { workers: names } = await accounts.view(accountId)
    await this.noteForAccount(accountId, names, `API token ${tokenId} of its account was revoked.`)
  }

  /** Notes in the owner history of each of an account's workers that something changed for all of them. */
  private async noteForAccount(accountId: string, names: string[], message: string): Promise<void> {
    const { changes } = this.parts
    await Promise.all(
      names.map((name) =>
        bestEffort(`note an account change for "${name}"`, () =>
          changes.claim(name).noteForAccount(accountId, message),
        ),
      ),
    )
  }

  /**
   * Moves a worker into the account of `apiToken`, for a caller who proves the worker with `proof`
   * (its deploy token, an admin token, or the API token of the account it is in now). The worker's
   * own deploy token keeps working.
   */
  async moveToAccount(
    name: string,
    proof: string | undefined,
    apiToken: string | undefined,
    scope: RequestScope,
  ): Promise<string> {
    const { changes, accounts } = this.parts
    const accountId = await accounts.require(apiToken)
    const credential = await changes.credential(proof)
    const moved = await changes
      .claim(assertValidName(name))
      .joinAccount(credential, accountId, auditSource(credential, scope))
    if (!moved.ok) throw refusal(moved.reason, 'change')
    if (!moved.found) throw workerNotFound(name)
    const { previous } = moved
    if (previous && previous !== accountId) {
      await bestEffort(`unlist "${name}" from its previous account`, () => accounts.removeWorker(previous, name))
    }
    await accounts.addWorker(accountId, name)
    // A commit copies the new account into the record and KV, so dispatch spends its budget; if it
    // fails, the worker's next change does it. The account's own token proves it now.
    await bestEffort(`copy the account of "${name}" into its record`, () =>
      changes.updateRecord(name, { admin: false, accountId }, scope, (record) => record),
    )
    return accountId
  }

  /** Who rotated the deploy token, moved the worker or revoked its account's tokens, and when: for the owner. */
  async ownerEvents(name: string, token: Proof): Promise<OwnerEvent[]> {
    const { changes } = this.parts
    const read = await changes.claim(assertValidName(name)).ownerEvents(await changes.credential(token))
    if (!read.ok) throw refusal(read.reason, 'read', 'owner history')
    if (!read.found) throw workerNotFound(name)
    return read.events
  }

  /** A worker's record for its owner (or an admin) only: what the public may not read (its settings' values). */
  async owned(name: string, token: Proof): Promise<WorkerRecord> {
    const { changes } = this.parts
    const access = await changes.claim(assertValidName(name)).access(await changes.credential(token))
    if (!access.ok) throw refusal(access.reason, 'read', 'settings')
    if (!access.found) throw workerNotFound(name)
    return access.record
  }

  /** The deploy token of a fresh claim, once, for the page the upload form redirects to. */
  takeRevealedToken(name: string, revealId: string): Promise<string | null> {
    return this.parts.changes.claim(assertValidName(name)).takeReveal(revealId)
  }

  /**
   * The code a worker serves now, as its backend holds it (platform modules included), to prefill
   * "upload a new version"; null when there is no such worker or its code is gone. Code is its
   * owner's (a key written in the source is a secret too): without the token it is refused, 401
   * without one or with a wrong one, unless the owner made it public.
   */
  async currentCode(name: string, token: Proof): Promise<WorkerBundle | null> {
    const { changes, backend, wiring } = this.parts
    let record = await this.find(name)
    if (record && !wiring.settingsOf(currentDeployment(record)).publicCode) {
      const access = await changes.claim(name).access(await changes.credential(token))
      if (!access.ok) throw refusal(access.reason, 'read', 'code')
      record = access.found ? access.record : null
    }
    const code = record && (await backend.code(record.workerId))
    return code && withoutStorageShim(code)
  }
}
