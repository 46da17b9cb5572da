import { env } from 'cloudflare:workers'
import type { FetcherOptions, UserWorkerBackend, UserWorkerFetcher } from '../../src/backends/backend'
import { configFor } from '../../src/core/config'
import type { WorkerList, WorkerRecord } from '../../src/core/model'
import { Platform, type PlatformParts } from '../../src/platform/platform'
import { Registry } from '../../src/names/registry'
import { tenantStorage } from '../../src/storage/store'

/** What a fake backend saw, and how it answers. */
export interface BackendCalls {
  deployed: string[]
  removed: string[]
  opened: { workerId: string; options: FetcherOptions }[]
  /** What a user Worker's fetch() does (default: answers "ok"). */
  fetch: (request: Request) => Promise<Response>
  scheduled: (cron: string) => Promise<void>
  /** Set to make the next deploy fail. */
  refuse?: Error
}

/** A backend that keeps nothing but a record of its calls: the use cases, without any runtime. */
export function fakeBackend(): { backend: UserWorkerBackend; calls: BackendCalls } {
  const calls: BackendCalls = {
    deployed: [],
    removed: [],
    opened: [],
    fetch: () => Promise.resolve(new Response('ok')),
    scheduled: () => Promise.resolve(),
  }
  const backend: UserWorkerBackend = {
    kind: 'dynamic-workers',
    deploy(workerId) {
      if (calls.refuse) return Promise.reject(calls.refuse)
      calls.deployed.push(workerId)
      return Promise.resolve()
    },
    fetcher(workerId, options): UserWorkerFetcher {
      calls.opened.push({ workerId, options })
      return { fetch: (request) => calls.fetch(request), scheduled: (event) => calls.scheduled(event.cron) }
    },
    remove(workerId) {
      calls.removed.push(workerId)
      return Promise.resolve()
    },
    code: () => Promise.resolve(null),
  }
  return { backend, calls }
}

/** The mapping in KV, with writes that can be made to fail (as KV's can). */
export class FlakyRegistry extends Registry {
  failPuts = false
  /** KV's answer to a cursor it no longer knows (or never issued). */
  failLists = false

  constructor() {
    super(env.WORKER_MAPPINGS, 0)
  }

  override async put(record: WorkerRecord): Promise<void> {
    if (this.failPuts) throw new Error('KV is unavailable')
    return super.put(record)
  }

  override async list(options: { limit: number; cursor?: string }): Promise<WorkerList> {
    if (this.failLists) throw new Error('KV list failed')
    return super.list(options)
  }
}

const ENTRYPOINTS = {
  logTail: () => ({}) as Fetcher,
  egressGate: () => ({}) as Fetcher,
  tenantKv: () => ({}) as Fetcher,
  tenantAssets: () => ({}) as Fetcher,
  tenantCache: () => ({}) as Fetcher,
  tenantObjects: () => ({}) as Fetcher,
}

/** The platform's use cases over the test's real Durable Objects and KV, with a fake backend. */
export function platformWith(overrides: Partial<PlatformParts> = {}) {
  const { backend, calls } = fakeBackend()
  const registry = new FlakyRegistry()
  const parts: PlatformParts = {
    config: configFor(env),
    backend,
    registry,
    claims: env.NAME_CLAIMS,
    accounts: env.ACCOUNTS,
    loader: undefined,
    entrypoints: ENTRYPOINTS,
    builder: undefined,
    storage: tenantStorage(env),
    metrics: undefined,
    staging: env.WORKER_MAPPINGS,
    domainObjects: env.CUSTOM_DOMAINS,
    trail: env.AUDIT_TRAIL,
    leases: env.WORKER_METRICS,
    accountIndex: env.WORKER_MAPPINGS,
    ...overrides,
  }
  return { platform: new Platform(parts), calls, registry }
}

/** A background that runs its work now, so a test can await what a request leaves behind. */
export function background(): { waitUntil(promise: Promise<unknown>): void; settled(): Promise<unknown> } {
  const pending: Promise<unknown>[] = []
  return { waitUntil: (promise) => void pending.push(promise), settled: () => Promise.all(pending) }
}
