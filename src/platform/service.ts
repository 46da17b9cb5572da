import type { Config } from '../config'
import type { UserWorkerBackend } from './backend'
import { bundleSize, type WorkerBundle } from './bundle'
import { checkBundle } from './check'
import { PlatformError } from './errors'
import { newWorkerId, sha256Hex } from './ids'
import { assertValidName } from './names'
import type { Registry, WorkerPage, WorkerRecord } from './registry'

/**
 * How long a replaced Worker ID keeps its code: longer than KV's propagation delay (~60 s), so a
 * location still reading the old mapping never dispatches to deleted code.
 */
export const RETIRED_GRACE_MS = 120_000

export interface DeployResult {
  record: WorkerRecord
  created: boolean
}

/** Background work the runtime should finish after the response (ExecutionContext.waitUntil). */
export type WaitUntil = (promise: Promise<unknown>) => void

/** The platform's use cases: deploy, look up, list and remove user Workers. */
export class PlatformService {
  constructor(
    readonly config: Config,
    readonly backend: UserWorkerBackend,
    private readonly registry: Registry,
    private readonly loader: WorkerLoader | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Deploys under a fresh Worker ID, then flips the mapping: a refused or failed upload leaves the
   * previous version serving.
   */
  async deploy(name: string, bundle: WorkerBundle, waitUntil: WaitUntil): Promise<DeployResult> {
    assertValidName(name)
    // Both backends check locally first: fast feedback with the runtime's own message.
    if (this.loader) await checkBundle(this.loader, bundle, this.config.userCompatibilityDate)

    const workerId = newWorkerId(this.now())
    await this.backend.deploy(workerId, bundle, { name })

    const previous = await this.registry.get(name)
    const timestamp = new Date(this.now()).toISOString()
    const retired = previous ? [...previous.retired, { workerId: previous.workerId, retiredAt: timestamp }] : []
    const cutoff = this.now() - RETIRED_GRACE_MS
    const expired = retired.filter((entry) => Date.parse(entry.retiredAt) <= cutoff)
    const record: WorkerRecord = {
      name,
      workerId,
      backend: this.backend.kind,
      createdAt: previous?.createdAt ?? timestamp,
      updatedAt: timestamp,
      size: bundleSize(bundle),
      sha256: await sha256Hex(bundle.modules.map((module) => module.content).join('\0')),
      retired: retired.filter((entry) => !expired.includes(entry)),
    }
    try {
      // One write per deploy: KV allows about one write per second to a key.
      await this.registry.put(record)
    } catch (error) {
      waitUntil(this.backend.remove(workerId))
      throw error
    }
    waitUntil(Promise.all(expired.map((entry) => this.backend.remove(entry.workerId))))
    return { record, created: previous === null }
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

  /** Removes the mapping first (the name stops serving), then every Worker ID it used. */
  async remove(name: string): Promise<WorkerRecord> {
    const record = await this.get(name)
    await this.registry.delete(name)
    const ids = [record.workerId, ...record.retired.map((retired) => retired.workerId)]
    await Promise.all(ids.map((id) => this.backend.remove(id)))
    return record
  }
}
