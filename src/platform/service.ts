import { secretsEqual, sha256Hex } from '../lib/crypto'
import type { FetcherOptions, StorageBindings, UserWorkerBackend, UserWorkerFetcher } from '../backends/backend'
import type { BuildRequest, BuildResult } from '../deploy/build'
import { checkBundle, type CheckedBundle } from '../backends/upload-check'
import { assertWithinSize, bundleSize } from '../deploy/bundle'
import type { Config } from '../core/config'
import {
  cleanLabel,
  currentDeployment,
  newWorkerId,
  nextSequence,
  removeDeployment,
  withDeployment,
  withCurrent,
} from '../deploy/deployments'
import { assertWithinHops, type DispatchContext } from '../dispatch/egress'
import { PlatformError, workerNotFound } from '../core/errors'
import { FOLLOW_TIMING, LOG_FOLLOWERS, followLines, type FollowEvent, type FollowTiming } from '../logs/log-follow'
import { LOG_WATCH_MS } from '../logs/logs'
import { METRICS_WINDOW_MS, MINUTE_MS, minuteOf, reportOf, type MetricsReport } from '../metrics/metrics'
import { metered, type Metrics } from '../metrics/metrics-recorder'
import type {
  BuildSummary,
  Compatibility,
  CronRun,
  Deployment,
  DeploymentAssets,
  EgressPolicy,
  SettingsInput,
  StoredLogLine,
  WorkerBundle,
  WorkerList,
  WorkerRecord,
  WorkerSettings,
} from '../core/model'
import { assertDeployableName, assertValidName, isValidName } from '../core/names'
import type { Credential, Refusal } from '../names/ownership'
import { withPlatformModule } from '../deploy/platform-module'
import { buildError, releaseOf } from '../deploy/projects'
import { checkSchedule, outcomeOf, runNote, type CronJob, type CronResult, type ScheduleView } from '../cron/schedules'
import type { FollowRefusal } from '../logs/log-followers'
import type { Change, Committed, Lease, NameClaim } from '../names/name-claim.do'
import type { Registry } from '../names/registry'
import { seal, unseal } from '../names/secrets'
import { isPreviewId, parseWorkerAddress, previewId, type WorkerAddress } from '../core/urls'
import { defaultSettings, nextSettings } from '../deploy/settings'
import type { StorageUsage } from '../storage/database.do'
import { DB_BINDING, KV_BINDING, type StorageRef } from '../storage/refs'
import { withoutStorageShim, withStorageShim } from '../storage/shim'
import type { TenantStorage } from '../storage/store'
import { bestEffort, type Background } from '../core/follow-up'

export interface DeployResult {
  record: WorkerRecord
  /** The deployment this upload made: current, or a candidate when it was not promoted. */
  deployment: Deployment
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
  /** False deploys a candidate: reachable at its preview URL, not served by the name until promoted. */
  promote?: boolean
}

/** How a request reached the platform: the host it was sent to, and how often it already passed through. */
export interface Arrival {
  host: string
  hops: number
  /** The request's ExecutionContext: metrics are flushed in its background. */
  background?: Background
}

/**
 * What a deploy puts live: the Worker (null for a static site), its static assets, the runtime it
 * was built for (default: the platform's), and for a built project what went into it.
 */
export interface Release {
  bundle: WorkerBundle | null
  assets?: DeploymentAssets
  compatibility?: Compatibility
  build?: BuildSummary
}

/** What an upload deploys: a ready-made Worker, or a project the builder turns into one. */
export type Upload = { kind: 'script'; bundle: WorkerBundle } | { kind: 'project'; project: Project }

/** A project to build: its files (or one zip), and optionally which module is the entry. */
export type Project = Pick<BuildRequest, 'source' | 'entry'>

/** The builder Worker, as the platform calls it over its service binding. */
export interface ProjectBuilder {
  build(request: BuildRequest): Promise<BuildResult>
}

/** This Worker's own entrypoints that user Workers are wired to, as bindings to hand them. */
export interface Entrypoints {
  /** The owner ID is the generation the invocations run for (core/generation.ts): their lines go to it only. */
  logTail(name: string, workerId: string, ownerId: string): Fetcher
  egressGate(policy: EgressPolicy, context: DispatchContext): Fetcher
  /** A worker's env.KV (storage/): the entrypoint with the worker's name and owner as props. */
  tenantKv(ref: StorageRef): Fetcher
}

/** Workers per page of the list (one KV list call). */
export const LIST_PAGE_SIZE = 50

const HOW_TO_GIVE_THE_TOKEN = '(form field "token" or "Authorization: Bearer <token>")'

/** Why a caller may not act on a name, in words that fit what they tried to do. */
function refusal(reason: Refusal, action: 'change' | 'read' | 'run', what: 'logs' | 'code' = 'logs'): PlatformError {
  switch (reason) {
    case 'name_taken':
      return new PlatformError('name_taken', 'This name was just claimed by another upload. Choose another name.')
    case 'token_required':
      // A read without any credential is 401 (send one); a wrong one is 403, as for changes.
      if (action === 'read') {
        return new PlatformError(
          'unauthorized',
          `Only the owner can read this worker's ${what}: give its deploy token ${HOW_TO_GIVE_THE_TOKEN}.`,
          { 'WWW-Authenticate': 'Bearer' },
        )
      }
      return new PlatformError(
        'forbidden',
        action === 'run'
          ? `Only the owner can run this worker's schedule: give its deploy token ${HOW_TO_GIVE_THE_TOKEN}.`
          : `This name is taken. To change it, give its deploy token ${HOW_TO_GIVE_THE_TOKEN}.`,
      )
    case 'token_invalid':
      return new PlatformError('forbidden', 'That deploy token does not match this worker.')
  }
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
    /** Builds projects; absent, only ready-made Workers can be deployed. */
    private readonly builder: ProjectBuilder | undefined,
    /** Tenants' storage: usage, export, and deletion with the worker. */
    private readonly storage: TenantStorage,
    /** Per-worker metrics; undefined when they are off (METRICS=off). */
    private readonly metrics: Metrics | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Deploys under a fresh Worker ID while holding the name's lease, then commits the new record in
   * the name's Durable Object (the authority) and brings KV in line: a refused or failed upload
   * leaves the previous version serving. The first upload of a free name claims it. Code uploaded
   * for a change that never commits is deleted by the name's object (see NameClaim).
   */
  async deploy(
    name: string,
    release: Release,
    options: DeployOptions,
    ctx: Background,
    // When the upload began (a project's build comes first): decides a lost race (409) from a taken name (403).
    startedAt = this.now(),
  ): Promise<DeployResult> {
    assertDeployableName(name, this.config.reservedNames)
    const workerId = newWorkerId(startedAt)
    const { bundle, assets } = release
    // Every release, pasted or built, within one cap: a build's output is checked here, not only its input.
    if (bundle) assertWithinSize(bundleSize(bundle), this.config.maxScriptBytes, 'The built Worker (MAX_SCRIPT_BYTES)')
    const compatibility = release.compatibility ?? this.defaultCompatibility()
    const deployed = bundle && withPlatformModule(bundle, { name, workerId })
    // Both backends check locally first: fast feedback with the runtime's own message, no lock held.
    const checked: CheckedBundle =
      this.loader && deployed ? await checkBundle(this.loader, deployed, compatibility) : {}

    const claim = this.claims.getByName(name)
    const lease = await this.acquire(claim, options.token, { uploading: workerId, startedAt })
    let change: Change
    let deployment: Deployment
    try {
      const previous = lease.current
      const current = previous ? currentDeployment(previous) : undefined
      if (options.promote === false && !previous) {
        throw new PlatformError(
          'invalid_request',
          `"${name}" has no deployment yet, so its first one is what it serves: deploy it without promote=false.`,
        )
      }
      const { settings, secretChanges } = nextSettings(
        current?.settings,
        options.settings ?? {},
        this.config.limits,
        this.config.cron,
      )
      const hints = checkSchedule(settings, deployed, checked.hasScheduled)
      const secrets = await this.nextSecrets(claim, current, settings, secretChanges)
      // Sealed once: the name's object keeps them, and dynamic-workers beside the code (for dispatch).
      const sealed = settings.secretNames.length > 0 ? await seal(secrets, this.config.secretsKey) : undefined
      const info = {
        name,
        ownerId: lease.ownerId,
        settings,
        secrets,
        sealedSecrets: sealed ?? null,
        compatibility,
        assets,
      }
      // With env.DB the code gets the D1 API through a module the platform adds (storage/shim.ts).
      await this.backend.deploy(workerId, deployed && withStorageShim(deployed, settings.storage), info)
      // Host-form previews carry no name; written once, removed with the code (see removeCode).
      await this.registry.putPreview(previewId(workerId), name)
      const sequence = nextSequence(previous)
      deployment = {
        workerId,
        sequence,
        createdAt: new Date(this.now()).toISOString(),
        size: bundle ? bundleSize(bundle) : 0,
        sha256: await releaseDigest(release),
        label: cleanLabel(options.label) ?? `v${sequence}`,
        settings,
        compatibility,
        ...(release.build ? { build: release.build } : {}),
        ...(hints.length > 0 ? { hints } : {}),
      }
      const base = { name, ownerId: lease.ownerId, backend: this.backend.kind }
      const { deploymentGraceMs } = this.config
      const transition = withDeployment(previous, base, deployment, deploymentGraceMs, this.now(), options.promote)
      change = { ...transition, secrets: sealed && { workerId, sealed }, claim: true }
    } catch (error) {
      claim.abort(lease.leaseId).catch(() => {})
      throw error
    }
    const committed = await this.commit(claim, lease, change, ctx)
    return { record: change.record, deployment, created: lease.current === null, ...committed }
  }

  /**
   * Builds a project (TypeScript, npm packages, static assets) with the builder Worker, then deploys
   * what it built like any upload. The build runs before the name's lease is taken, like the check.
   */
  async deployProject(name: string, project: Project, options: DeployOptions, ctx: Background): Promise<DeployResult> {
    assertDeployableName(name, this.config.reservedNames)
    if (!this.builder) {
      throw new PlatformError(
        'backend_unavailable',
        'Projects are built by the builder Worker, but the BUILDER service binding is missing (see wrangler.jsonc).',
      )
    }
    const startedAt = this.now()
    const { npmRegistryUrl: registry, buildLimits: limits } = this.config
    // Builds are reused only for the same name and credential: a reuse answers much faster, which must
    // tell no one what another tenant built (the builder reuses nothing across scopes).
    const cacheScope = await sha256Hex(`${name}\n${options.token ?? ''}`)
    const result = await this.builder.build({ ...project, registry, limits, cacheScope })
    if (!result.ok) throw buildError(result, limits)
    return this.deploy(name, releaseOf(result, this.config.userCompatibilityDate), options, ctx, startedAt)
  }

  /** Deploys an upload: a Worker as it is, or a project after building it. */
  deployUpload(name: string, upload: Upload, options: DeployOptions, ctx: Background): Promise<DeployResult> {
    return upload.kind === 'project'
      ? this.deployProject(name, upload.project, options, ctx)
      : this.deploy(name, { bundle: upload.bundle }, options, ctx)
  }

  /**
   * Makes a retained deployment current: promotes a candidate, or rolls back to an earlier one. No
   * upload: the mapping flips at once.
   */
  async promote(name: string, workerId: string, token: string | undefined, ctx: Background): Promise<WorkerRecord> {
    const held = await this.changeExisting(name, token, (record) => {
      const transition = withCurrent(record, workerId, this.config.deploymentGraceMs, this.now())
      if (!transition) {
        throw new PlatformError('deployment_not_found', `"${name}" has no retained deployment "${workerId}".`)
      }
      return { ...transition, claim: false }
    })
    await this.commit(held.claim, held.lease, held.change, ctx)
    return held.change.record
  }

  /**
   * The dispatch hot path: the worker an address names — the deployment serving a name, or one
   * deployment's preview (see core/urls.ts) — wired to this Worker's log tail and egress gate. The
   * mapping may be a few seconds stale (see Registry). An exception thrown by the user's code
   * becomes `worker_failed`, which says so without passing on its message.
   */
  async open(address: string, arrival: Arrival): Promise<Pick<UserWorkerFetcher, 'fetch'>> {
    assertWithinHops(arrival.hops, this.config.maxHops)
    const parsed = parseWorkerAddress(address)
    const { record, deployment } = await this.resolve(parsed, arrival.background)
    const { name } = record
    const { userWorkersDomain } = this.config
    const context: DispatchContext = {
      hops: arrival.hops,
      platformHosts: userWorkersDomain ? [arrival.host, userWorkersDomain] : [arrival.host],
    }
    const workerId = deployment?.workerId ?? record.workerId
    const fetcher = this.fetcherOf(record, deployment, context, {
      // Kept beside the code (a deployment's own, so a rollback gets its secrets), else in the name's object.
      // A deployment whose settings name no secret has none: nothing to ask for (older deployments too).
      secrets: (stored) =>
        stored !== undefined
          ? unseal(stored, this.config.secretsKey)
          : this.settingsOf(deployment).secretNames.length > 0
            ? this.deploymentSecrets(name, workerId)
            : Promise.resolve({}),
      // Tracing costs every request, so it is attached only while the owner watches the logs.
      tail: this.isWatched(record) ? () => this.entrypoints.logTail(name, workerId, record.ownerId) : undefined,
    })
    const opened: Pick<UserWorkerFetcher, 'fetch'> = {
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
    // Counted in isolate memory, flushed in the background: no storage write per request. Only what
    // the name serves counts: a preview link (an old, retained deployment) is anyone's to call, and
    // its errors would otherwise be the worker's.
    const preview = parsed.preview !== undefined
    return this.metrics && !preview ? metered(opened, record, this.metrics, arrival.background) : opened
  }

  /** The env.KV and env.DB a loaded deployment's code gets, by binding name (storage/). */
  private storageBindings(record: WorkerRecord, settings: WorkerSettings): StorageBindings {
    const ref = storageRefOf(record)
    return {
      ...(settings.storage?.kv ? { [KV_BINDING]: this.entrypoints.tenantKv(ref) } : {}),
      ...(settings.storage?.sql ? { [DB_BINDING]: this.storage.database(ref) } : {}),
    }
  }

  /** What a worker keeps in env.KV and env.DB (for its page; the data belongs to the name, whatever its settings now). */
  storageUsage(record: WorkerRecord): Promise<StorageUsage> {
    return this.storage.usage(storageRefOf(record))
  }

  /**
   * A worker's stored data for its owner (or an admin): the KV entries as JSON lines, or the SQL
   * database as a script that recreates it.
   */
  async exportData(name: string, token: string | undefined, kind: 'kv' | 'sql'): Promise<ReadableStream | string> {
    const claim = this.claims.getByName(assertValidName(name))
    const result = await claim.access(await this.credential(token))
    if (!result.ok) {
      throw result.reason === 'token_required'
        ? new PlatformError(
            'forbidden',
            `Only the owner can export this worker's data: give its deploy token ${HOW_TO_GIVE_THE_TOKEN}.`,
          )
        : refusal(result.reason, 'read')
    }
    if (!result.found) throw workerNotFound(name)
    const ref = storageRefOf(result.record)
    return kind === 'kv' ? this.storage.exportKv(ref) : this.storage.exportSql(ref)
  }

  /** The record an address names and the deployment it serves (the current one unless a preview). */
  private async resolve(
    address: WorkerAddress,
    background?: Background,
  ): Promise<{ record: WorkerRecord; deployment?: Deployment }> {
    const name =
      address.name ?? (isPreviewId(address.preview) ? await this.registry.previewName(address.preview) : null)
    const record = name !== null && isValidName(name) ? await this.registry.lookup(name, background) : null
    if (!record) throw workerNotFound(name ?? `${address.preview}`)
    if (address.preview === undefined) return { record, deployment: currentDeployment(record) }
    const deployment = record.deployments.find((entry) => previewId(entry.workerId) === address.preview)
    if (!deployment) {
      throw new PlatformError('deployment_not_found', `"${name}" has no retained deployment "${address.preview}".`)
    }
    return { record, deployment }
  }

  /** The backend's fetcher for one deployment of a record, wired to this Worker's egress gate. */
  private fetcherOf(
    record: WorkerRecord,
    deployment: Deployment | undefined,
    context: DispatchContext,
    wiring: Pick<FetcherOptions, 'secrets' | 'tail'>,
  ): UserWorkerFetcher {
    const settings = this.settingsOf(deployment)
    return this.backend.fetcher(deployment?.workerId ?? record.workerId, {
      name: record.name,
      settings,
      storageBindings: settings.storage && (() => this.storageBindings(record, settings)),
      compatibility: deployment?.compatibility ?? this.defaultCompatibility(),
      assets: (deployment?.build?.assets.count ?? 0) > 0 || deployment?.build?.hasWorker === false,
      context,
      egressGate: (egress) => this.entrypoints.egressGate(egress, context),
      ...wiring,
    })
  }

  /**
   * Runs the current deployment's scheduled() once, with its limits, egress, vars and secrets; its
   * output always goes to the worker's logs (runs are rare). Never throws: how it ended is the result.
   */
  async runScheduled({ record, cron, scheduledTime, trigger, secrets }: CronJob): Promise<CronResult> {
    const { userWorkersDomain } = this.config
    const context: DispatchContext = { hops: 0, platformHosts: userWorkersDomain ? [userWorkersDomain] : [] }
    const startedAt = Date.now()
    let ended: ReturnType<typeof outcomeOf> = { outcome: 'ok' }
    try {
      const fetcher = this.fetcherOf(record, currentDeployment(record), context, {
        secrets: () => unseal(secrets, this.config.secretsKey),
        tail: () => this.entrypoints.logTail(record.name, record.workerId, record.ownerId),
      })
      await fetcher.scheduled({ cron, scheduledTime })
    } catch (error) {
      ended = outcomeOf(error)
    }
    const at = new Date(scheduledTime).toISOString()
    const run: CronRun = { at, cron, trigger, outcome: ended.outcome, durationMs: Date.now() - startedAt }
    return { run, note: runNote(run, ended.message) }
  }

  /** "Run now": the owner (or an admin) runs one of the worker's crons (default: the first) at once. */
  async runNow(name: string, cron: string | undefined, token: string | undefined): Promise<CronRun> {
    const claim = this.claims.getByName(assertValidName(name))
    const prepared = await claim.prepareRun(await this.credential(token))
    if (!prepared.ok) throw refusal(prepared.reason, 'run')
    if (!prepared.found) throw workerNotFound(name)
    const crons = this.settingsOf(currentDeployment(prepared.record)).crons ?? []
    if (crons.length === 0) {
      throw new PlatformError('invalid_request', `"${name}" has no cron schedules to run. Upload it with "crons".`)
    }
    const chosen = cron?.trim().split(/\s+/).join(' ') || crons[0]!
    if (!crons.includes(chosen)) {
      throw new PlatformError('invalid_request', `"${name}" has no cron "${chosen}"; its crons: ${crons.join(', ')}.`)
    }
    const job = { ...prepared, cron: chosen, scheduledTime: this.now(), trigger: 'manual' as const }
    const { run, note } = await this.runScheduled(job)
    await claim.recordCronRun(run, note, prepared.record.ownerId)
    return run
  }

  /** A worker's crons, when they next run, and the last runs (no error details: those are in its logs). */
  async schedule(name: string): Promise<ScheduleView> {
    const view = await this.claims.getByName(assertValidName(name)).readSchedule()
    if (!view) throw workerNotFound(name)
    return view
  }

  /** The current record of a name (from its Durable Object, not KV), or null for a free name. */
  find(name: string): Promise<WorkerRecord | null> {
    return this.claims.getByName(assertValidName(name)).current()
  }

  async get(name: string): Promise<WorkerRecord> {
    const record = await this.find(name)
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

  /**
   * Frees the name: its object forgets owner, record, secrets and logs in one commit, then the
   * mapping goes (the name stops serving), then every Worker ID it used.
   */
  async remove(name: string, token: string | undefined): Promise<WorkerRecord> {
    const { claim, lease, change } = await this.changeExisting(name, token, (record) => ({
      record,
      expired: [],
      claim: false,
    }))
    const { record } = change
    await claim.commitDelete(lease.leaseId)
    // The data goes with the name (the name's outbox retries what fails here).
    const storagePurged = await bestEffort(`delete the data of "${name}"`, () =>
      this.storage.purge(storageRefOf(record)),
    )
    const mappingSynced = await bestEffort(`delete the mapping of "${name}"`, () => this.registry.delete(name))
    const removed: string[] = []
    if (mappingSynced) {
      const ids = [...record.deployments, ...record.retired].map((entry) => entry.workerId)
      await Promise.all(
        ids.map(async (id) => {
          if (await bestEffort(`delete the code of ${id}`, () => removeDeployment(id, this.backend, this.registry)))
            removed.push(id)
        }),
      )
    }
    await bestEffort('end the lease', () => claim.release(lease.leaseId, { mappingSynced, removed, storagePurged }))
    // Reads start at the record's creation anyway, so metrics a late flush brings back never show.
    const { metrics } = this
    if (metrics) await bestEffort(`forget the metrics of "${name}"`, () => metrics.forget(record))
    return record
  }

  /**
   * The worker's requests, errors and wall time per minute over the last 24 hours (not before the
   * record was created: a re-created name starts empty); null when metrics are off.
   */
  async readMetrics(record: WorkerRecord): Promise<MetricsReport | null> {
    if (!this.metrics) return null
    const now = this.now()
    const from = Math.max(minuteOf(now - METRICS_WINDOW_MS) + MINUTE_MS, minuteOf(Date.parse(record.createdAt)))
    return reportOf(record.name, await this.metrics.read(record, from), from, now)
  }

  /** Stores the metrics this isolate still holds (for tests: nothing waits for a minute to end). */
  async flushMetrics(): Promise<void> {
    await this.metrics?.flush()
  }

  /** The deploy token of a fresh claim, once, for the page the upload form redirects to. */
  takeRevealedToken(name: string, revealId: string): Promise<string | null> {
    return this.claims.getByName(assertValidName(name)).takeReveal(revealId)
  }

  /**
   * Recent console output and exceptions of a worker, for its owner or an admin. Reading them also
   * keeps capture on for LOG_WATCH_MS (see logs/logs.ts). A read never claims or changes ownership.
   */
  async readLogs(
    name: string,
    token: string | undefined,
    ctx: Background,
  ): Promise<{ lines: StoredLogLine[]; capturingUntil: string }> {
    return this.watchLogs(name, token, ctx, 0, 0)
  }

  /**
   * Follows a worker's logs: the lines after line `after` (0: all kept), then each new one as it is
   * stored, until the follow's time is up (the client reconnects) or `signal` aborts. Refusals are
   * thrown before anything is streamed. Following counts as watching: capture stays on throughout.
   */
  async followLogs(
    name: string,
    token: string | undefined,
    after: number,
    ctx: Background,
    /** Who follows (the client's address): LOG_FOLLOWERS caps how many at once, per worker and per client. */
    client: string,
    timing: FollowTiming = FOLLOW_TIMING,
  ): Promise<{ capturingUntil: string; events: (signal: AbortSignal) => AsyncGenerator<FollowEvent> }> {
    const { lines, capturingUntil } = await this.watchLogs(name, token, ctx, after, timing.maxMs)
    const claim = this.claims.getByName(name)
    const followId = crypto.randomUUID()
    const refused = await claim.admitFollower(followId, client)
    if (refused) throw followersRefusal(refused)
    const credential = await this.credential(token)
    const read = async (afterId: number) => {
      const result = await claim.readLogs(credential, afterId, followId)
      return result.ok && result.found ? result.lines : null
    }
    return { capturingUntil, events: (signal) => followLines(read, lines, after, signal, timing, this.now) }
  }

  /**
   * The lines after `after`, for the owner or an admin, making sure capture stays on for at least
   * `watchMs` more (plus a margin, so that not every read has to extend it).
   */
  private async watchLogs(
    name: string,
    token: string | undefined,
    ctx: Background,
    after: number,
    watchMs: number,
  ): Promise<{ lines: StoredLogLine[]; capturingUntil: string }> {
    const claim = this.claims.getByName(assertValidName(name))
    const result = await claim.readLogs(await this.credential(token), after)
    if (!result.ok) throw refusal(result.reason, 'read')
    if (!result.found) throw workerNotFound(name)
    const { lines, record } = result
    const now = this.now()
    if (record.logsUntil && Date.parse(record.logsUntil) - now > watchMs + LOG_WATCH_MS / 3) {
      return { lines, capturingUntil: record.logsUntil }
    }

    // Extending the window is a change to the record, so it takes the name's lease like any other.
    const wanted = new Date(now + Math.max(LOG_WATCH_MS, watchMs)).toISOString()
    const held = await this.changeExisting(name, token, (current) => ({
      // A deploy may have opened a longer window meanwhile: never shorten it (ISO times sort as text).
      record: { ...current, logsUntil: current.logsUntil && current.logsUntil > wanted ? current.logsUntil : wanted },
      expired: [],
      claim: false,
    }))
    await this.commit(held.claim, held.lease, held.change, ctx)
    return { lines, capturingUntil: held.change.record.logsUntil ?? wanted }
  }

  /** The settings a deployment runs with; records from before settings existed get the defaults. */
  settingsOf(deployment: Deployment | undefined): WorkerSettings {
    return deployment?.settings ?? defaultSettings(this.config.limits)
  }

  /** The runtime a deployment gets when its upload does not ask for one. */
  private defaultCompatibility(): Compatibility {
    return { date: this.config.userCompatibilityDate, flags: [] }
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
   * Takes the lease of an existing worker and works out a change to it; any failure gives the
   * lease back unchanged. The caller commits the change.
   */
  private async changeExisting(
    name: string,
    token: string | undefined,
    work: (record: WorkerRecord) => Change,
  ): Promise<{ claim: DurableObjectStub<NameClaim>; lease: Lease; change: Change }> {
    assertValidName(name)
    const claim = this.claims.getByName(name)
    const lease = await this.acquire(claim, token)
    try {
      // The name's object is the authority: a record KV still shows (it lags) does not count.
      if (!lease.current) throw workerNotFound(name)
      return { claim, lease, change: work(lease.current) }
    } catch (error) {
      claim.abort(lease.leaseId).catch(() => {})
      throw error
    }
  }

  private async acquire(
    claim: DurableObjectStub<NameClaim>,
    token: string | undefined,
    deploy?: { uploading: string; startedAt: number },
  ): Promise<Lease> {
    const lease = await claim.acquire(await this.credential(token), deploy)
    if (!lease.ok) throw refusal(lease.reason, 'change')
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

  /**
   * Commits a change in the name's object, then — still holding the lease, so no later change can
   * overtake it — brings KV in line and ends the lease; code that left the history is deleted after
   * the response. Whatever of that fails, the object's outbox does later: the change stands.
   */
  private async commit(
    claim: DurableObjectStub<NameClaim>,
    lease: Lease,
    change: Change,
    ctx: Background,
  ): Promise<Committed> {
    let committed: Committed
    try {
      committed = await claim.commit(lease.leaseId, change)
    } catch (error) {
      claim.abort(lease.leaseId).catch(() => {})
      throw error
    }
    const mappingSynced = await bestEffort(`update the mapping of "${change.record.name}"`, () =>
      this.registry.put(change.record),
    )
    await bestEffort('end the lease', () => claim.release(lease.leaseId, { mappingSynced }))
    if (change.expired.length > 0) {
      ctx.waitUntil(
        Promise.all(
          change.expired.map((id) =>
            bestEffort(`delete the code of ${id}`, () => removeDeployment(id, this.backend, this.registry)).then(
              (ok) => (ok ? id : null),
            ),
          ),
        ).then((ids) => claim.settle({ mappingSynced: false, removed: ids.filter((id) => id !== null) })),
      )
    }
    return committed
  }

  /**
   * The code a worker serves now, as its backend holds it (platform modules included), to prefill
   * "upload a new version"; null when there is no such worker or its code is gone. Code is its
   * owner's (a key written in the source is a secret too): without the token it is refused, 401
   * without one and 403 with a wrong one, unless the owner made it public.
   */
  async currentCode(name: string, token: string | undefined): Promise<WorkerBundle | null> {
    let record = await this.find(name)
    if (record && !this.settingsOf(currentDeployment(record)).publicCode) {
      const access = await this.claims.getByName(name).access(await this.credential(token))
      if (!access.ok) throw refusal(access.reason, 'read', 'code')
      record = access.found ? access.record : null
    }
    const code = record && (await this.backend.code(record.workerId))
    return code && withoutStorageShim(code)
  }

  /** dispatch-namespace: what the namespace says about trust (cached; never throws); undefined elsewhere. */
  namespaceTrust() {
    return this.backend.namespaceTrust?.() ?? Promise.resolve(undefined)
  }
}

/** A live follow over LOG_FOLLOWERS' caps: 429, to retry once a follower has gone quiet. */
function followersRefusal(cap: FollowRefusal): PlatformError {
  const retry = { 'Retry-After': String(Math.ceil(LOG_FOLLOWERS.staleMs / 1000)) }
  return cap === 'worker'
    ? new PlatformError(
        'rate_limited',
        `At most ${LOG_FOLLOWERS.perWorker} clients may follow a worker's logs live at once. Read the recent lines without ?follow=1, or try again when one has stopped.`,
        retry,
      )
    : new PlatformError(
        'rate_limited',
        `At most ${LOG_FOLLOWERS.perClient} live follows of one worker's logs per client at once: close another tab that follows them, then try again.`,
        retry,
      )
}

/** Whose storage a worker's code reaches: the name, as claimed by its current owner. */
function storageRefOf(record: Pick<WorkerRecord, 'name' | 'ownerId'>): StorageRef {
  return { name: record.name, ownerId: record.ownerId }
}

/** One SHA-256 over everything a release serves: module names and code, asset paths and bytes. */
async function releaseDigest({ bundle, assets }: Release): Promise<string> {
  const parts = (bundle?.modules ?? []).map((module) => `${module.name}\0${module.content}`)
  for (const asset of assets?.files ?? []) parts.push(`${asset.path}\0${await sha256Hex(asset.content)}`)
  return sha256Hex(parts.join('\0'))
}
