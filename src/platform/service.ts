import { secretsEqual, sha256Hex } from '../lib/crypto'
import type { UserWorkerBackend, UserWorkerFetcher } from './backends/backend'
import { checkBundle } from './backends/upload-check'
import { bundleSize } from './bundle'
import type { Config } from './config'
import {
  cleanLabel,
  currentDeployment,
  newWorkerId,
  nextSequence,
  withDeployment,
  withRollback,
  type Transition,
} from './deployments'
import { PlatformError, workerNotFound } from './errors'
import { LOG_WATCH_MS } from './logs'
import type {
  Deployment,
  EgressPolicy,
  LogLine,
  SettingsInput,
  WorkerBundle,
  WorkerList,
  WorkerRecord,
  WorkerSettings,
} from './model'
import { assertValidName, isValidName } from './names'
import type { Credential, Refusal } from './ownership'
import { withPlatformModule } from './platform-module'
import type { Lease, NameClaim } from './store/name-claim.do'
import type { Registry } from './store/registry'
import { seal, unseal, type SealedSecrets } from './store/secrets'
import { defaultSettings, nextSettings } from './settings'

export interface DeployResult {
  record: WorkerRecord
  created: boolean
  /** The deploy token, present only when this upload claimed the name. */
  token?: string
  /** One-time key to show that token again on the page the form redirects to. */
  revealId?: string
}

export interface DeployOptions {
  token?: string
  label?: string
  settings?: SettingsInput
}

/** Where work that outlives the response goes (the request's ExecutionContext). */
export type Background = Pick<ExecutionContext, 'waitUntil'>

/** This Worker's own entrypoints that user Workers are wired to, as bindings to hand them. */
export interface Entrypoints {
  logTail(name: string): Fetcher
  egressGate(policy: EgressPolicy): Fetcher
}

/** Workers per page of the list (one KV list call). */
export const LIST_PAGE_SIZE = 50

const REFUSALS: Record<Refusal, PlatformError> = {
  name_taken: new PlatformError('name_taken', 'This name was just claimed by another upload. Choose another name.'),
  token_required: new PlatformError(
    'forbidden',
    'This name is taken. To change it, give its deploy token (form field "token" or "Authorization: Bearer <token>").',
  ),
  token_invalid: new PlatformError('forbidden', 'That deploy token does not match this worker.'),
}

/** The platform's use cases: deploy, open, list, roll back and remove user Workers. */
export class PlatformService {
  constructor(
    readonly config: Config,
    private readonly backend: UserWorkerBackend,
    private readonly registry: Registry,
    private readonly claims: DurableObjectNamespace<NameClaim>,
    private readonly loader: WorkerLoader | undefined,
    private readonly entrypoints: Entrypoints,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Deploys under a fresh Worker ID while holding the name's lease, then flips the mapping: a refused
   * or failed upload leaves the previous version serving. The first upload of a free name claims it.
   */
  async deploy(name: string, bundle: WorkerBundle, options: DeployOptions, ctx: Background): Promise<DeployResult> {
    assertValidName(name)
    const workerId = newWorkerId(this.now())
    const deployed = withPlatformModule(bundle, { name, workerId })
    // Both backends check locally first: fast feedback with the runtime's own message, no lock held.
    if (this.loader) await checkBundle(this.loader, deployed, this.config.userCompatibilityDate)

    const claim = this.claims.getByName(name)
    const lease = await this.acquire(claim, options.token)
    // Until the mapping flips, a failure must delete the new code; after, it is what the name serves.
    let orphan = false
    try {
      const previous = lease.current ?? (await this.registry.get(name))
      const current = previous ? currentDeployment(previous) : undefined
      const { settings, secretChanges } = nextSettings(current?.settings, options.settings ?? {}, this.config.limits)
      const secrets = await this.nextSecrets(claim, current, settings, secretChanges)
      await this.backend.deploy(workerId, deployed, { name, ownerId: lease.ownerId, settings, secrets })
      orphan = true
      const sequence = nextSequence(previous)
      const deployment: Deployment = {
        workerId,
        sequence,
        createdAt: new Date(this.now()).toISOString(),
        size: bundleSize(bundle),
        sha256: await sha256Hex(bundle.modules.map((module) => `${module.name}\0${module.content}`).join('\0')),
        label: cleanLabel(options.label) ?? `v${sequence}`,
        settings,
      }
      const base = { name, ownerId: lease.ownerId, backend: this.backend.kind }
      const transition = withDeployment(previous, base, deployment, this.config.deploymentGraceMs, this.now())
      const sealed = settings.secretNames.length > 0 ? await seal(secrets, this.config.secretsKey) : undefined
      const committed = await this.flip(claim, lease, transition, ctx, sealed, () => (orphan = false))
      return { record: transition.record, created: previous === null, ...committed }
    } catch (error) {
      await claim.abort(lease.leaseId)
      if (orphan) ctx.waitUntil(this.backend.remove(workerId))
      throw error
    }
  }

  /** Makes an earlier deployment current again: no upload, the mapping flips at once. */
  rollback(name: string, workerId: string, token: string | undefined, ctx: Background): Promise<WorkerRecord> {
    return this.changeExisting(name, token, async (record, claim, lease) => {
      const transition = withRollback(record, workerId, this.config.deploymentGraceMs, this.now())
      if (!transition) {
        throw new PlatformError('deployment_not_found', `"${name}" has no retained deployment "${workerId}".`)
      }
      await this.flip(claim, lease, transition, ctx)
      return transition.record
    })
  }

  /**
   * The dispatch hot path: the worker serving `name`, wired to this Worker's log tail and egress
   * gate. The mapping may be a few seconds stale (see Registry). An exception thrown by the
   * user's code becomes `worker_failed`, which says so without passing on its message.
   */
  async open(name: string): Promise<UserWorkerFetcher> {
    const record = isValidName(name) ? await this.registry.lookup(name) : null
    if (!record) throw workerNotFound(name)
    const { workerId } = record
    const fetcher = this.backend.fetcher(workerId, {
      name,
      settings: this.settingsOf(currentDeployment(record)),
      secrets: () => this.deploymentSecrets(name, workerId),
      // Tracing costs every request, so it is attached only while the owner watches the logs.
      tail: this.isWatched(record) ? () => this.entrypoints.logTail(name) : undefined,
      egressGate: (egress) => this.entrypoints.egressGate(egress),
    })
    return {
      async fetch(request) {
        try {
          return await fetcher.fetch(request)
        } catch (error) {
          if (error instanceof PlatformError) throw error
          console.warn(`user worker "${name}" threw`)
          throw new PlatformError(
            'worker_failed',
            `The worker "${name}" threw an exception while handling your request.`,
          )
        }
      },
    }
  }

  /** The current record of a name, or null (for forms that prefill from it). */
  find(name: string): Promise<WorkerRecord | null> {
    return this.registry.get(assertValidName(name))
  }

  async get(name: string): Promise<WorkerRecord> {
    const record = await this.registry.get(assertValidName(name))
    if (!record) throw workerNotFound(name)
    return record
  }

  /** One page of the worker list; a stale or forged cursor is the caller's error. */
  async list(cursor: string | undefined): Promise<WorkerList> {
    try {
      return await this.registry.list({ limit: LIST_PAGE_SIZE, cursor: cursor || undefined })
    } catch (error) {
      if (!cursor) throw error
      throw new PlatformError('invalid_request', 'That page link is no longer valid. Start again from the first page.')
    }
  }

  /** Removes the mapping first (the name stops serving), then every Worker ID it used; frees the name. */
  remove(name: string, token: string | undefined): Promise<WorkerRecord> {
    return this.changeExisting(name, token, async (record, claim, lease) => {
      await this.registry.delete(name)
      const ids = [...record.deployments, ...record.retired].map((entry) => entry.workerId)
      await Promise.all(ids.map((id) => this.backend.remove(id)))
      await claim.commitDelete(lease.leaseId)
      return record
    })
  }

  /** The deploy token of a fresh claim, once, for the page the upload form redirects to. */
  takeRevealedToken(name: string, revealId: string): Promise<string | null> {
    return this.claims.getByName(assertValidName(name)).takeReveal(revealId)
  }

  /**
   * Recent console output and exceptions of a worker, for its owner or an admin. Reading them also
   * keeps capture on for LOG_WATCH_MS (see logs.ts).
   */
  async readLogs(
    name: string,
    token: string | undefined,
    ctx: Background,
  ): Promise<{ lines: LogLine[]; capturingUntil: string }> {
    const record = await this.get(name)
    const claim = this.claims.getByName(name)
    const result = await claim.readLogs(await this.credential(token))
    if (!result.ok) throw REFUSALS[result.reason]
    const now = this.now()
    const watchedUntil = record.logsUntil ? Date.parse(record.logsUntil) : 0
    if (record.logsUntil && watchedUntil - now > LOG_WATCH_MS / 3) {
      return { lines: result.lines, capturingUntil: record.logsUntil }
    }

    // Extending the window is a change to the record, so it takes the name's lease like any other.
    const capturingUntil = new Date(now + LOG_WATCH_MS).toISOString()
    await this.changeExisting(name, token, (current, _claim, lease) =>
      this.flip(claim, lease, { record: { ...current, logsUntil: capturingUntil }, expired: [] }, ctx),
    )
    return { lines: result.lines, capturingUntil }
  }

  /** The settings a deployment runs with; records from before settings existed get the defaults. */
  settingsOf(deployment: Deployment | undefined): WorkerSettings {
    return deployment?.settings ?? defaultSettings(this.config.limits)
  }

  /** Whether the worker's invocations should be traced into its recent logs right now. */
  private isWatched(record: WorkerRecord): boolean {
    return record.logsUntil !== undefined && Date.parse(record.logsUntil) > this.now()
  }

  /** The secret values of one deployment (read when its isolate starts, not per request). */
  private async deploymentSecrets(name: string, workerId: string): Promise<Record<string, string>> {
    return unseal(await this.claims.getByName(name).readSecrets(workerId), this.config.secretsKey)
  }

  private async credential(token: string | undefined): Promise<Credential> {
    const admin = Boolean(token && this.config.adminToken && (await secretsEqual(token, this.config.adminToken)))
    return { token, admin }
  }

  /**
   * Runs a change to an existing worker while holding its lease (which `work` ends by committing);
   * any failure gives the lease back unchanged.
   */
  private async changeExisting<T>(
    name: string,
    token: string | undefined,
    work: (record: WorkerRecord, claim: DurableObjectStub<NameClaim>, lease: Lease) => Promise<T>,
  ): Promise<T> {
    assertValidName(name)
    const claim = this.claims.getByName(name)
    const lease = await this.acquire(claim, token)
    try {
      // Records from before ownership existed live only in KV.
      const record = lease.current ?? (await this.registry.get(name))
      if (!record) throw workerNotFound(name)
      return await work(record, claim, lease)
    } catch (error) {
      await claim.abort(lease.leaseId)
      throw error
    }
  }

  private async acquire(claim: DurableObjectStub<NameClaim>, token: string | undefined): Promise<Lease> {
    const lease = await claim.acquire(await this.credential(token))
    if (!lease.ok) throw REFUSALS[lease.reason]
    return lease
  }

  /** The secret values of a new deployment: the current ones with this upload's changes. */
  private async nextSecrets(
    claim: DurableObjectStub<NameClaim>,
    current: Deployment | undefined,
    settings: WorkerSettings,
    changes: Record<string, string | null>,
  ): Promise<Record<string, string>> {
    if (settings.secretNames.length === 0) return {}
    const values = current?.settings?.secretNames.length
      ? await unseal(await claim.readSecrets(current.workerId), this.config.secretsKey)
      : {}
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) delete values[name]
      else values[name] = value
    }
    return Object.fromEntries(settings.secretNames.map((name) => [name, values[name] ?? '']))
  }

  /** Writes the new mapping (KV, then the name's object) and deletes code whose grace is over. */
  private async flip(
    claim: DurableObjectStub<NameClaim>,
    lease: Lease,
    transition: Transition,
    ctx: Background,
    secrets?: SealedSecrets,
    mapped: () => void = () => {},
  ) {
    // One KV write per change (KV allows about one write per second to a key).
    await this.registry.put(transition.record)
    mapped() // the name now points at this record's Worker ID
    const committed = await claim.commit(lease.leaseId, transition.record, secrets, transition.expired)
    ctx.waitUntil(Promise.all(transition.expired.map((id) => this.backend.remove(id))))
    return committed
  }
}
