import type { FetcherOptions, UserWorkerFetcher } from '../backends/backend'
import type { Config } from '../core/config'
import { PlatformError, workerNotFound } from '../core/errors'
import type { Background } from '../core/follow-up'
import type { Deployment, WorkerRecord } from '../core/model'
import { isValidName } from '../core/names'
import { isPreviewId, parseWorkerAddress, previewId, type WorkerAddress } from '../core/urls'
import { currentDeployment } from '../deploy/deployments'
import { metered, type Metrics } from '../metrics/metrics-recorder'
import type { RolloutMetrics } from '../metrics/rollout-metrics'
import type { NameClaim } from '../names/name-claim.do'
import type { Registry } from '../names/registry'
import { unseal } from '../names/secrets'
import { isOpen } from '../logs/logs'
import { suspendedWorker } from '../operators/suspension'
import { rolloutCandidate, rolloutPick } from '../deploy/rollouts'
import type { Allowances } from '../budgets/allowances'
import type { AccountAllowances } from '../budgets/account-allowances'
import { cpuBudgetOf, metersCpu, requestBudgetOf } from '../budgets/budget-of'
import { assertWithinHops, type DispatchContext } from './egress'
import type { WorkerWiring } from './wiring'

/** How a request reached the platform: the host it was sent to, and how often it already passed through. */
export interface Arrival {
  host: string
  hops: number
  /** The request's ExecutionContext: metrics are flushed in its background. */
  background?: Background
  /** A custom hostname's claim: the owner the worker must still have (a name freed and claimed again is another worker). */
  owner?: string
  /** The visitor's key for a gradual rollout (deploy/rollouts.ts), asked for only when the worker has one. */
  visitor?: () => string
}

/** The dispatch hot path: from an address to the user Worker that answers it. */
export class Dispatcher {
  constructor(
    private readonly parts: {
      config: Pick<Config, 'maxHops' | 'userWorkersDomain' | 'secretsKey' | 'budgets'>
      registry: Pick<Registry, 'previewName' | 'lookup' | 'hostTarget'>
      claims: DurableObjectNamespace<NameClaim>
      wiring: WorkerWiring
      metrics: Metrics | undefined
      /** Each side of a rollout, counted apart (only while a worker has one). */
      rolloutMetrics: Pick<RolloutMetrics, 'meter'>
      /** Daily budgets, leased per isolate (budgets/allowances.ts), and per account (budgets/account-allowances.ts). */
      allowances: Allowances
      accountAllowances: Pick<AccountAllowances, 'take' | 'giveBack'>
      now: () => number
    },
  ) {}

  /**
   * The worker an address names — the deployment serving a name, or one deployment's preview (see
   * core/urls.ts) — wired to this Worker's log tail and egress gate. The mapping may be a few
   * seconds stale (see Registry). An exception thrown by the user's code becomes `worker_failed`,
   * which says so without passing on its message.
   */
  async open(address: string, arrival: Arrival): Promise<Pick<UserWorkerFetcher, 'fetch'>> {
    const { config, metrics } = this.parts
    assertWithinHops(arrival.hops, config.maxHops)
    const parsed = parseWorkerAddress(address)
    const { record, deployment: addressed } = await this.resolve(parsed, arrival.background)
    const { name } = record
    // A rollout splits what the name serves (never a preview): the one check workers without one pay.
    const deployment = record.rollout && !parsed.preview ? this.rolledOut(record, addressed, arrival) : addressed
    if (arrival.owner !== undefined && record.ownerId !== arrival.owner) throw workerNotFound(name)
    if (record.suspended) throw suspendedWorker(name)
    // A budget (an admin's, else the platform's default) costs an object call once per leased block;
    // a request spends the account's day and the worker's, and one the worker's refuses stays the account's.
    if (record.accountId !== undefined) {
      await this.parts.accountAllowances.take(record, config.budgets.accountRequestsPerDay)
    }
    const budget = requestBudgetOf(record, config.budgets)
    if (budget > 0) {
      await this.parts.allowances.take(record, budget).catch((error: unknown) => {
        this.parts.accountAllowances.giveBack(record)
        throw error
      })
    }
    // CPU is known after the fact (the tail's cpuTime): an object call per worker per isolate every 10 s.
    const cpuBudget = cpuBudgetOf(record, config.budgets)
    if (cpuBudget > 0) await this.parts.allowances.checkCpu(record, cpuBudget)
    const context: DispatchContext = {
      hops: arrival.hops,
      platformHosts: config.userWorkersDomain ? [arrival.host, config.userWorkersDomain] : [arrival.host],
    }
    const fetcher = this.wire(record, deployment, context)
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
    if (!metrics || parsed.preview !== undefined) return opened
    // During a rollout each side is counted apart too, to compare them (metrics/rollout-metrics.ts).
    const sided = record.rollout
      ? this.parts.rolloutMetrics.meter(opened, record, deployment?.workerId ?? record.workerId, arrival.background)
      : opened
    return metered(sided, record, metrics, arrival.background)
  }

  /**
   * The worker a verified custom hostname serves (its CustomDomain object writes the mapping only
   * then), opened as `open` does for its name; a host nobody serves is the 404 page.
   */
  async openCustomHost(hostname: string, arrival: Arrival): Promise<Pick<UserWorkerFetcher, 'fetch'>> {
    const target = await this.parts.registry.hostTarget(hostname)
    if (!target) throw new PlatformError('not_found', `No worker is served at ${hostname}.`)
    return this.open(target.name, { ...arrival, owner: target.ownerId })
  }

  /**
   * The class of a worker's Durable Object namespace in the deployment its name serves now (read
   * from the name's object, not the cached mapping: a deploy takes over its objects at once), to
   * run its objects (objects/): the class the namespace has now (a rename keeps the namespace),
   * loaded with the deployment's env, limits and egress. Only for the owner that holds the name:
   * objects of a deleted worker never run again.
   */
  async objectClass(owner: { name: string; ownerId: string }, namespace: string, fallbackClass: string) {
    const { config, claims } = this.parts
    const record = isValidName(owner.name) ? await claims.getByName(owner.name).current() : null
    if (!record || record.ownerId !== owner.ownerId) throw workerNotFound(owner.name)
    const deployment = currentDeployment(record)
    const bound = this.parts.wiring.settingsOf(deployment).storage?.durableObjects
    const className = bound?.find((entry) => entry.namespace === namespace)?.className ?? fallbackClass
    const context: DispatchContext = {
      hops: 0,
      platformHosts: config.userWorkersDomain ? [config.userWorkersDomain] : [],
    }
    const fetcher = this.wire(record, deployment, context)
    if (!fetcher.objectClass) {
      throw new PlatformError('backend_unavailable', 'This backend does not run Durable Objects of user Workers.')
    }
    return { workerId: deployment?.workerId ?? record.workerId, objectClass: fetcher.objectClass(className) }
  }

  /** The Worker ID a name serves now, from its object (see objectClass); null when its owner no longer holds it. */
  async currentWorkerId(owner: { name: string; ownerId: string }): Promise<string | null> {
    const record = await this.ownedRecord(owner)
    return record && (currentDeployment(record)?.workerId ?? record.workerId)
  }

  /** Whether the worker an object belongs to is suspended now (its alarms wait meanwhile). */
  async isSuspended(owner: { name: string; ownerId: string }): Promise<boolean> {
    return (await this.ownedRecord(owner))?.suspended !== undefined
  }

  private async ownedRecord(owner: { name: string; ownerId: string }): Promise<WorkerRecord | null> {
    const record = isValidName(owner.name) ? await this.parts.claims.getByName(owner.name).current() : null
    return record && record.ownerId === owner.ownerId ? record : null
  }

  /** One deployment wired for a call: its secrets, and its log tail while the owner watches. */
  private wire(record: WorkerRecord, deployment: Deployment | undefined, context: DispatchContext): UserWorkerFetcher {
    const { config, wiring } = this.parts
    const workerId = deployment?.workerId ?? record.workerId
    return wiring.fetcherOf(record, deployment, context, {
      // Kept beside the code (a deployment's own, so a rollback gets its secrets), else in the name's object.
      // A deployment whose settings name no secret has none: nothing to ask for (older deployments too).
      secrets: (stored) =>
        stored !== undefined
          ? unseal(stored, config.secretsKey)
          : wiring.settingsOf(deployment).secretNames.length > 0
            ? this.deploymentSecrets(record.name, workerId)
            : Promise.resolve({}),
      // Tracing costs every request (docs/metrics.md#cpu-time), so it is attached only while the owner
      // watches the logs, or for CPU metering; invocations without output reach the name's object only
      // while a live tail is open.
      ...this.traced(record, workerId),
    })
  }

  private traced(record: WorkerRecord, workerId: string): Pick<FetcherOptions, 'tail' | 'liveTail' | 'cpu'> {
    const { config, wiring } = this.parts
    const cpu = metersCpu(record, config.budgets)
    if (!this.isWatched(record)) {
      return cpu ? { tail: () => wiring.logTail(record, workerId, { logs: false, cpu }), cpu: 'only' } : {}
    }
    const live = isOpen(record.tailsUntil, this.parts.now())
    const tail = () => wiring.logTail(record, workerId, { live, cpu })
    return { tail, ...(live ? { liveTail: true as const } : {}), ...(cpu ? { cpu: 'also' as const } : {}) }
  }

  /** The deployment a visitor gets during a rollout: the candidate for its bucket, else the current one. */
  private rolledOut(record: WorkerRecord, current: Deployment | undefined, arrival: Arrival): Deployment | undefined {
    const candidate = rolloutCandidate(record)
    if (!candidate || !record.rollout || !arrival.visitor) return current
    return rolloutPick(record.name, record.rollout, arrival.visitor()) === 'candidate' ? candidate : current
  }

  /** The record an address names and the deployment it serves (the current one unless a preview). */
  private async resolve(
    address: WorkerAddress,
    background?: Background,
  ): Promise<{ record: WorkerRecord; deployment?: Deployment }> {
    const { registry } = this.parts
    const name = address.name ?? (isPreviewId(address.preview) ? await registry.previewName(address.preview) : null)
    const record = name !== null && isValidName(name) ? await registry.lookup(name, background) : null
    if (!record) throw workerNotFound(name ?? `${address.preview}`)
    if (address.preview === undefined) return { record, deployment: currentDeployment(record) }
    const deployment = record.deployments.find((entry) => previewId(entry.workerId) === address.preview)
    if (!deployment) {
      throw new PlatformError('deployment_not_found', `"${name}" has no retained deployment "${address.preview}".`)
    }
    return { record, deployment }
  }

  /** Whether the worker's invocations should be traced into its recent logs right now. */
  private isWatched(record: WorkerRecord): boolean {
    return isOpen(record.logsUntil, this.parts.now())
  }

  /** The secret values of one deployment (read when its isolate starts, not per request). */
  private async deploymentSecrets(name: string, workerId: string): Promise<Record<string, string>> {
    const { claims, config } = this.parts
    return unseal(await claims.getByName(name).readSecrets(workerId), config.secretsKey)
  }
}
