import { checkAssetRules } from '../assets/rules'
import type { UserWorkerBackend } from '../backends/backend'
import { checkBundle, type CheckedBundle } from '../backends/upload-check'
import type { Config } from '../core/config'
import { PlatformError, workerNotFound } from '../core/errors'
import type { RequestScope } from '../core/follow-up'
import type {
  BuildSummary,
  Compatibility,
  Deployment,
  DeploymentAssets,
  SettingsInput,
  WorkerBundle,
  WorkerRecord,
  WorkerSettings,
} from '../core/model'
import { assertDeployableName, assertValidName } from '../core/names'
import { previewId } from '../core/urls'
import { checkSchedule } from '../cron/schedules'
import type { WorkerWiring } from '../dispatch/wiring'
import { sha256Hex } from '../lib/crypto'
import type { ClaimStub, NameChanges } from '../names/changes'
import type { Change } from '../names/lease'
import type { Registry } from '../names/registry'
import type { Proof } from '../names/ownership'
import { seal, unseal } from '../names/secrets'
import { hasPlatformCaches, withStorageShim } from '../storage/shim'
import { MAX_DECLARED_STORES, type StorageRef } from '../storage/refs'
import type { TenantStorage } from '../storage/store'
import type { BuildRequest, BuildResult, DeclaredEnv } from './build'
import { asUploaded, assertWithinSize, bundleSize } from './bundle'
import {
  cleanLabel,
  currentDeployment,
  newWorkerId,
  nextSequence,
  storesWith,
  withCurrent,
  withDeployment,
  type ChangeTiming,
} from './deployments'
import { withPlatformModule } from './platform-module'
import { checkRequiredSecrets, migrationTargets, refuseUnsupported, withDeclared } from './declared'
import { buildError, releaseOf } from './projects'
import { nextSettings } from './settings'
import { bestEffort } from '../core/follow-up'
import { objectNamespaces } from '../objects/namespaces'
import { assertAccountActive, assertNotSuspended } from '../operators/suspension'
import type { AccountSuspension } from '../accounts/account.do'
import type { Objects } from '../objects/objects'

export interface DeployResult {
  record: WorkerRecord
  /** The deployment this upload made: current, or a candidate when it was not promoted. */
  deployment: Deployment
  created: boolean
  /** The deploy token, present only when this upload claimed the name. */
  token?: string
  /** One-time key to show that token again on the page the form redirects to. */
  revealId?: string
  /** How long the upload check took to start the code (CheckedBundle.startupMs); absent when nothing was checked. */
  startupMs?: number
}

export interface DeployOptions {
  /** The deploy, API or admin token sent, or the console session's credential. */
  token?: Proof
  label?: string
  settings?: SettingsInput
  /** False deploys a candidate: reachable at its preview URL, not served by the name until promoted. */
  promote?: boolean
}

/**
 * What a deploy puts live: the Worker (null for a static site), its static assets, the runtime it
 * was built for (default: the platform's), and for a built project what went into it.
 */
export interface Release {
  bundle: WorkerBundle | null
  assets?: DeploymentAssets
  /** A settings change of a worker with assets: the deployment whose assets it serves (DeployInfo.assetsFrom). */
  assetsFrom?: string
  compatibility?: Compatibility
  build?: BuildSummary
  /** What a built project's wrangler config declares for `env` (see declared.ts). */
  declared?: DeclaredEnv
}

/** What an upload deploys: a ready-made Worker, or a project the builder turns into one. */
export type Upload = { kind: 'script'; bundle: WorkerBundle } | { kind: 'project'; project: Project }

/** A project to build: its files (or one zip), and optionally which module is the entry. */
export type Project = Pick<BuildRequest, 'source' | 'entry'>

/** The builder Worker, as the platform calls it over its service binding. */
export interface ProjectBuilder {
  build(request: BuildRequest): Promise<BuildResult>
}

/** Deploys (uploads, builds) and promotes or rolls back a worker's deployments. */
export class Deployer {
  constructor(
    private readonly parts: {
      config: Config
      backend: Pick<UserWorkerBackend, 'deploy' | 'kind' | 'code'>
      registry: Pick<Registry, 'putPreview'>
      changes: NameChanges
      wiring: WorkerWiring
      /** Checks uploads in a throwaway isolate first; absent, the backend's own check is all. */
      loader: WorkerLoader | undefined
      /** Builds projects; absent, only ready-made Workers can be deployed. */
      builder: ProjectBuilder | undefined
      /** The workers' databases, for the D1 migrations a project brings. */
      storage: Pick<TenantStorage, 'database'>
      /** Tenants' Durable Objects, for the classes a project's migrations delete. */
      objects: Pick<Objects, 'destroy'>
      /** Whether an account is suspended (operators/): it may not claim new names then. */
      accountSuspension: (accountId: string) => Promise<AccountSuspension | null>
      now: () => number
    },
  ) {}

  /**
   * Applies the D1 migrations a project brings to each of its databases, each once (storage/migrations.ts).
   * They change the schema under every deployment of the name, candidates and rollbacks included.
   */
  private async migrate(declared: DeclaredEnv, settings: WorkerSettings, worker: StorageRef): Promise<void> {
    for (const { binding, dir, ref, migrations } of migrationTargets(declared, settings, worker)) {
      const result = await this.parts.storage.database(ref).applyMigrations(migrations)
      if (!result.ok) {
        throw new PlatformError(
          'build_failed',
          `The D1 migration ${dir}/${result.file} of ${binding} failed: ${result.message}. None of this deploy's migrations of ${binding} were applied, and the previous deployment still serves.`,
        )
      }
    }
  }

  /** Deploys an upload: a Worker as it is, or a project after building it. */
  upload(name: string, upload: Upload, options: DeployOptions, ctx: RequestScope): Promise<DeployResult> {
    return upload.kind === 'project'
      ? this.project(name, upload.project, options, ctx)
      : this.release(name, { bundle: upload.bundle }, options, ctx)
  }

  /**
   * Builds a project (TypeScript, npm packages, static assets) with the builder Worker, then deploys
   * what it built like any upload. The build runs before the name's lease is taken, like the check.
   */
  async project(name: string, project: Project, options: DeployOptions, ctx: RequestScope): Promise<DeployResult> {
    const { config, builder, now } = this.parts
    assertDeployableName(name, config.reservedNames)
    if (!builder) {
      throw new PlatformError(
        'backend_unavailable',
        'Projects are built by the builder Worker, but the BUILDER service binding is missing (see wrangler.jsonc).',
      )
    }
    const startedAt = now()
    const { npmRegistryUrl: registry, buildLimits: limits } = config
    // Builds are reused only for the same name and credential: a reuse answers much faster, which must
    // tell no one what another tenant built (the builder reuses nothing across scopes).
    const cacheScope = await sha256Hex(JSON.stringify([name, options.token ?? '']))
    const result = await builder.build({ ...project, registry, limits, cacheScope })
    if (!result.ok) throw buildError(result, limits)
    return this.releaseDeclared(name, releaseOf(result, config.userCompatibilityDate), options, ctx, startedAt)
  }

  /**
   * Deploys a release with what it declares for `env` (a built project's wrangler config, or a
   * Cloudflare API upload's bindings): refused by name when the platform does not provide it, else
   * merged into the settings the upload asked for (declared.ts).
   */
  releaseDeclared(
    name: string,
    release: Release,
    options: DeployOptions,
    ctx: RequestScope,
    startedAt = this.parts.now(),
  ): Promise<DeployResult> {
    if (!release.declared) return this.release(name, release, options, ctx, startedAt)
    refuseUnsupported(release.declared)
    const settings = withDeclared(options.settings ?? {}, release.declared)
    return this.release(name, release, { ...options, settings }, ctx, startedAt)
  }

  /**
   * Deploys under a fresh Worker ID while holding the name's lease, then commits the new record in
   * the name's Durable Object (the authority) and brings KV in line: a refused or failed upload
   * leaves the previous version serving. The first upload of a free name claims it. Code uploaded
   * for a change that never commits is deleted by the name's object (see NameClaim).
   */
  async release(
    name: string,
    release: Release,
    options: DeployOptions,
    ctx: RequestScope,
    // When the upload began (a project's build comes first): decides a lost race (409) from a taken name (403).
    startedAt = this.parts.now(),
  ): Promise<DeployResult> {
    const { config, backend, registry, changes, wiring, loader, now } = this.parts
    assertDeployableName(name, config.reservedNames)
    const workerId = newWorkerId(startedAt)
    const { bundle, assets } = release
    // Every release, pasted or built, within one cap: a build's output is checked here, not only its input.
    if (bundle) assertWithinSize(bundleSize(bundle), config.maxScriptBytes, 'The built Worker (MAX_SCRIPT_BYTES)')
    const compatibility = release.compatibility ?? wiring.defaultCompatibility()
    if (assets) checkAssetRules(assets.config)
    const deployed = bundle && withPlatformModule(bundle, { name, workerId })
    // Both backends check locally first: fast feedback with the runtime's own message, no lock held.
    const checked: CheckedBundle = loader && deployed ? await checkBundle(loader, deployed, compatibility) : {}

    const claim = changes.claim(name)
    const lease = await changes.acquire(claim, options.token, ctx, { uploading: workerId, startedAt })
    let change: Change
    let deployment: Deployment
    try {
      const previous = lease.current
      assertNotSuspended(previous, 'be deployed')
      if (!previous && lease.accountId) assertAccountActive(await this.parts.accountSuspension(lease.accountId))
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
        config.limits,
        config.cron,
      )
      if (release.declared) checkRequiredSecrets(release.declared, settings)
      const stores = storesWith(previous, settings)
      if (stores.length > MAX_DECLARED_STORES) {
        throw new PlatformError(
          'invalid_settings',
          `A worker may declare at most ${MAX_DECLARED_STORES} KV namespaces and D1 databases over its life (each keeps its data until the worker is deleted); this deploy would make ${stores.length}. Reuse an id, or delete the worker to start afresh.`,
        )
      }
      const hints = checkSchedule(settings, deployed, checked.hasScheduled)
      const secrets = await this.nextSecrets(claim, current, settings, secretChanges)
      // Sealed once: the name's object keeps them, and dynamic-workers beside the code (for dispatch).
      const sealed = settings.secretNames.length > 0 ? await seal(secrets, config.secretsKey) : undefined
      const info = {
        name,
        ownerId: lease.ownerId,
        settings,
        secrets,
        sealedSecrets: sealed ?? null,
        compatibility,
        assets,
        ...(release.assetsFrom ? { assetsFrom: release.assetsFrom } : {}),
      }
      // With env.DB the code gets the D1 API through a module the platform adds (storage/shim.ts).
      const shimmed =
        deployed && withStorageShim(deployed, settings.storage, { caches: backend.kind === 'dynamic-workers' })
      await backend.deploy(workerId, shimmed, info)
      // Before the commit: a failing migration refuses the deploy, and the previous deployment serves on.
      if (release.declared) await this.migrate(release.declared, settings, { name, ownerId: lease.ownerId })
      // Host-form previews carry no name; written once, removed with the code (see NameChanges.removeCode).
      await registry.putPreview(previewId(workerId), name)
      const sequence = nextSequence(previous)
      deployment = {
        workerId,
        sequence,
        createdAt: new Date(now()).toISOString(),
        size: bundle ? bundleSize(bundle) : 0,
        sha256: await releaseDigest(release),
        label: cleanLabel(options.label) ?? `v${sequence}`,
        settings,
        compatibility,
        ...(release.build ? { build: release.build } : {}),
        ...(hints.length > 0 ? { hints } : {}),
        ...(shimmed && hasPlatformCaches(shimmed) ? { caches: true as const } : {}),
        // A gradual rollout may not carry them (deploy/rollouts.ts), as on Cloudflare.
        ...(release.declared && bringsMigrations(release.declared) ? { migrations: true as const } : {}),
      }
      const base = { name, ownerId: lease.ownerId, backend: backend.kind }
      const transition = withDeployment(previous, base, deployment, changeTiming(config), now(), options.promote)
      const secretsSet = Object.keys(secretChanges).filter((secret) => secretChanges[secret] !== null)
      change = { ...transition, secrets: sealed && { workerId, sealed }, claim: true, secretsSet }
    } catch (error) {
      claim.abort(lease.leaseId).catch(() => {})
      throw error
    }
    const committed = await changes.commit({ claim, lease, change }, ctx)
    // After the commit, as Cloudflare applies `deleted_classes` with the deploy: no deployment binds them now.
    const deleted = objectNamespaces(release.declared?.objectMigrations ?? []).deleted
    const namespaces = deleted.map((entry) => entry.namespace)
    // Not the deploy's failure (it is committed): the next deploy, which replays the migrations, retries.
    await bestEffort(`delete the Durable Objects of "${name}"'s deleted classes`, () =>
      this.parts.objects.destroy({ name, ownerId: lease.ownerId }, namespaces),
    )
    const startup = checked.startupMs === undefined ? {} : { startupMs: checked.startupMs }
    return { record: change.record, deployment, created: lease.current === null, ...committed, ...startup }
  }

  /**
   * Makes a retained deployment current: promotes a candidate, or rolls back to an earlier one. No
   * upload: the mapping flips at once.
   */
  async promote(name: string, workerId: string, token: Proof, ctx: RequestScope): Promise<WorkerRecord> {
    const { changes, config, now } = this.parts
    const held = await changes.changeExisting(name, token, ctx, (record) => {
      assertNotSuspended(record, 'change what it serves')
      const transition = withCurrent(record, workerId, changeTiming(config), now())
      if (!transition) {
        throw new PlatformError('deployment_not_found', `"${name}" has no retained deployment "${workerId}".`)
      }
      return { ...transition, claim: false }
    })
    await changes.commit(held, ctx)
    return held.change.record
  }

  /**
   * A setting changed on its own — a secret set or deleted (`wrangler secret put` / `delete`), the
   * crons (the schedules API): settings are fixed per deployment here, so the change is a new
   * deployment of the code the name serves, with its runtime and its other settings, in the history
   * like any other (and rolled back like one). `what` labels it ("secret API_KEY set").
   */
  async changeSettings(
    name: string,
    settings: SettingsInput,
    what: string,
    token: Proof,
    ctx: RequestScope,
  ): Promise<DeployResult> {
    const record = await this.parts.changes.claim(assertValidName(name)).current()
    if (!record) throw workerNotFound(name)
    const deployment = currentDeployment(record)
    const code = await this.parts.backend.code(deployment?.workerId ?? record.workerId)
    if (!code) throw new PlatformError('deployment_missing', `The code "${name}" serves is missing: upload it again.`)
    // Its assets too, with the summary that says it has them (dispatch reads their manifest by it).
    const hasAssets = (deployment?.build?.assets.count ?? 0) > 0
    const release: Release = {
      bundle: asUploaded(code),
      ...(deployment?.compatibility ? { compatibility: deployment.compatibility } : {}),
      ...(hasAssets && deployment?.build ? { assetsFrom: deployment.workerId, build: deployment.build } : {}),
    }
    return this.release(name, release, { token, settings, label: what }, ctx)
  }

  /** The secret values of a new deployment: the current ones with this upload's changes. */
  private async nextSecrets(
    claim: ClaimStub,
    current: Deployment | undefined,
    settings: WorkerSettings,
    changes: Record<string, string | null>,
  ): Promise<Record<string, string>> {
    if (settings.secretNames.length === 0) return {}
    const values = current?.settings?.secretNames.length
      ? await unseal(await claim.readSecrets(current.workerId), this.parts.config.secretsKey)
      : {}
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) delete values[name]
      else values[name] = value
    }
    return Object.fromEntries(settings.secretNames.map((name) => [name, values[name] ?? '']))
  }
}

/** One SHA-256 over everything a release serves: module names and code, asset paths and bytes. */
async function releaseDigest({ bundle, assets }: Release): Promise<string> {
  const parts = (bundle?.modules ?? []).map((module) => `${module.name}\0${module.content}`)
  for (const asset of assets?.files ?? []) parts.push(`${asset.path}\0${await sha256Hex(asset.content)}`)
  return sha256Hex(parts.join('\0'))
}

/** Whether a project's deploy changes a schema: D1 migrations, or Durable Object migrations. */
function bringsMigrations(declared: DeclaredEnv): boolean {
  return declared.d1.some((db) => (db.migrations?.length ?? 0) > 0) || (declared.objectMigrations?.length ?? 0) > 0
}

function changeTiming(config: Pick<Config, 'deploymentGraceMs' | 'logCaptureAfterChangeMs'>): ChangeTiming {
  return { graceMs: config.deploymentGraceMs, captureMs: config.logCaptureAfterChangeMs }
}
