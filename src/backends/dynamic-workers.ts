import { AssetContentMissing, assetResponse, routeRequest } from '../assets/serve'
import { AssetStore } from '../assets/store'
import { PlatformError } from '../core/errors'
import type { WorkerBundle } from '../core/model'
import type { DeployInfo, FetcherOptions, UserWorkerBackend, UserWorkerFetcher } from './backend'
import { decodeStoredCode, encodeStoredCode, type StoredCode } from './code-store'
import { limitExceeded } from './limit-errors'
import { loaderCode } from './loaded-code'
import { RecentCode } from './recent-code'
import { withOwnBody } from './request-body'
import { scheduledRequest, withScheduledEntry } from '../cron/scheduled-module'

const codeKey = (workerId: string) => `code/${workerId}`

/**
 * Dynamic Workers: the code lives in KV under its Worker ID and runs through the Worker Loader.
 * The loader caches isolates by ID; IDs are immutable, so the cached isolate is always current.
 * Static assets live in KV too (see assets/store.ts) and are served here, before the Worker runs.
 */
export class DynamicWorkersBackend implements UserWorkerBackend {
  readonly kind = 'dynamic-workers'

  private readonly assets: AssetStore
  // What this isolate just deployed: its first load needs no KV read (see recent-code.ts).
  private readonly recent = new RecentCode()

  constructor(
    private readonly kv: KVNamespace,
    private readonly loader: WorkerLoader | undefined,
  ) {
    this.assets = new AssetStore(kv)
  }

  /** A static site (`bundle` null) stores only its assets; the owner ID salts their digests. */
  async deploy(workerId: string, bundle: WorkerBundle | null, info: DeployInfo): Promise<void> {
    if (info.assetsFrom) await this.assets.copy(info.assetsFrom, workerId)
    else await this.assets.put(workerId, info.ownerId, info.assets, bundle !== null)
    if (!bundle) return
    // Encrypted secrets go beside the code (immutable like it, deleted with it): a cold start then
    // reads one KV value and asks no Durable Object. Unencrypted ones stay in the name's object only.
    const secrets = info.sealedSecrets === null || info.sealedSecrets?.encrypted ? info.sealedSecrets : undefined
    const stored: StoredCode = { name: info.name, bundle, secrets }
    const encoded = encodeStoredCode(stored)
    await this.kv.put(codeKey(workerId), encoded)
    this.recent.keep(workerId, stored, encoded.byteLength)
  }

  fetcher(workerId: string, options: FetcherOptions): UserWorkerFetcher {
    const loader = this.loader
    if (!loader) {
      throw new PlatformError(
        'backend_unavailable',
        'The dynamic-workers backend is active but the "LOADER" (Worker Loader) binding is missing from wrangler.jsonc.',
      )
    }
    const worker = this.workerFetcher(loader, workerId, options)
    // A deployment without assets goes straight to its Worker: no manifest read, nothing in between.
    if (!options.assets) return worker
    const { assets } = this
    return {
      scheduled: (event) => worker.scheduled(event),
      objectClass: (className) => worker.objectClass!(className),
      async fetch(request) {
        const site = await assets.site(workerId)
        if (!site) throw missingDeployment()
        const route = routeRequest(site, request, request.headers.get('X-Forwarded-Prefix') ?? '')
        if (route.kind === 'worker') return worker.fetch(request)
        try {
          return await assetResponse(request, route.response, (entry) => assets.body(workerId, entry))
        } catch (error) {
          throw error instanceof AssetContentMissing ? missingDeployment() : error
        }
      },
    }
  }

  private workerFetcher(loader: WorkerLoader, workerId: string, options: FetcherOptions): UserWorkerFetcher {
    // `scheduled` runs in an isolate of its own whose main module is the platform's scheduled wrapper.
    // `missing` is set when the code cannot be found, so that failure is not mistaken for the user's exception.
    const load = (scheduled: boolean, missing: { code: boolean }) =>
      loader.get(`${isolateId(workerId, options)}${scheduled ? '+cron' : ''}`, async () => {
        const stored = await this.storedCode(workerId)
        if (!stored) {
          missing.code = true
          throw new Error(`no code stored for ${workerId}`)
        }
        const bundle = scheduled ? withScheduledEntry(stored.bundle) : stored.bundle
        return loaderCode(bundle, await options.secrets(stored.secrets), options)
      })
    const send = async (request: Request, scheduled: boolean) => {
      // A cron run (not the dispatch hot path) looks first: a run of a deployment whose code is gone
      // (retired, or its worker deleted while the run was due) is the missing deployment, without a
      // load whose failure workerd would log as an uncaught exception.
      if (scheduled && !(await this.storedCode(workerId))) throw missingDeployment()
      const missing = { code: false }
      try {
        const entrypoint = load(scheduled, missing).getEntrypoint(undefined, { limits: options.settings.limits })
        return await entrypoint.fetch(withOwnBody(request))
      } catch (error) {
        if (missing.code) throw missingDeployment()
        throw limitExceeded(error, options.settings.limits) ?? error
      }
    }
    return {
      fetch: (request) => send(request, false),
      async scheduled(event) {
        await send(scheduledRequest(event), true)
      },
      // The objects of a worker run in its dispatch isolate, with the same env and limits.
      objectClass: (className) =>
        load(false, { code: false }).getDurableObjectClass(className, { limits: options.settings.limits }),
    }
  }

  async remove(workerId: string): Promise<void> {
    this.recent.drop(workerId)
    await this.kv.delete(codeKey(workerId))
    await this.assets.remove(workerId)
  }

  async code(workerId: string): Promise<WorkerBundle | null> {
    return (await this.storedCode(workerId))?.bundle ?? null
  }

  private async storedCode(workerId: string): Promise<StoredCode | null> {
    return this.recent.get(workerId) ?? (await readCode(this.kv, workerId))
  }
}

/** The code stored under a Worker ID, in either format (see code-store.ts), or null when it is gone. */
export async function readCode(kv: KVNamespace, workerId: string): Promise<StoredCode | null> {
  const stored = await kv.get(codeKey(workerId), 'arrayBuffer')
  return stored && decodeStoredCode(stored)
}

function missingDeployment(): PlatformError {
  return new PlatformError('deployment_missing', 'This worker is registered, but its code is missing from storage.')
}

/**
 * The loader ID of a deployment's isolate. What is fixed when an isolate loads gets its own ID: a
 * tail (the traced variant), and the gate's props, which carry the request's hop count — so a
 * request that arrives after n hops runs in `<workerId>@hop<n>`, whose gate stamps n + 1. Hops are
 * capped (MAX_HOPS), so a worker has at most a few such isolates; ordinary requests use depth 0.
 */
function isolateId(workerId: string, { tail, liveTail, cpu, context }: FetcherOptions): string {
  const traced = tail ? (cpu === 'only' ? '+cpu' : `${liveTail ? '+tail' : '+logs'}${cpu ? '+cpu' : ''}`) : ''
  return `${workerId}${traced}${context.hops > 0 ? `@hop${context.hops}` : ''}`
}
