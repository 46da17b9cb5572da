import { sha256Hex } from '../lib/crypto'
import { encodeText } from '../lib/encoding'
import { errorMessage } from '../lib/errors'
import { PlatformError } from '../core/errors'
import type { NamespaceTrust } from '../dispatch/isolation'
import { nameTag, ownerTag } from '../logs/logs'
import type { DispatchContext, OutboundParameters } from '../dispatch/egress'
import type { AssetConfig, DeploymentAssets, EgressPolicy, StaticAsset, WorkerBundle } from '../core/model'
import type { DeployInfo, FetcherOptions, UserWorkerBackend, UserWorkerFetcher } from './backend'
import { DB_BINDING, KV_BINDING } from '../storage/refs'
import type { CloudflareApi, ScriptAssets, ServiceBinding } from './cloudflare-api'
import { limitExceeded } from './limit-errors'
import { loaderCode } from './loaded-code'
import { SCHEDULED_HEADER, scheduledRequest, withoutScheduledEntry, withScheduledEntry } from '../cron/scheduled-module'

/**
 * Workers for Platforms: user Workers are uploaded to a dispatch namespace through the Cloudflare
 * API and run through the `dispatcher` binding.
 */
const ASSETS_NOT_CARRIED =
  'On the dispatch-namespace backend a change of settings alone (a secret, a cron) cannot carry a worker’s static assets to its new deployment: deploy the worker again with them (wrangler deploy) and the change in it.'

export class DispatchNamespaceBackend implements UserWorkerBackend {
  readonly kind = 'dispatch-namespace'
  private trust: { at: number; value: NamespaceTrust } | undefined

  constructor(
    private readonly api: CloudflareApi,
    private readonly dispatcher: DispatchNamespace | undefined,
    /** The Worker that receives user Workers' logs (this dispatch Worker's own name), if any. */
    private readonly tailConsumer: string | undefined,
    /** The outbound Worker wired to the dispatcher binding (DISPATCH_OUTBOUND_WORKER), if any. */
    private readonly outboundWorker: string | undefined,
    /** This dispatch Worker's script name: user Workers' storage bindings call its entrypoints. */
    private readonly platformWorker: string,
    /** Runs the Durable Object classes of the namespace's scripts (objects/): see objectClass below. */
    private readonly loader: WorkerLoader | undefined,
  ) {}

  /**
   * Uploads the release under its Worker ID. Its static assets go up first (Cloudflare serves them
   * as part of the script, ahead of the Worker): only then does the script upload name them, so a
   * failure at any step leaves nothing deployed under this ID and the previous version serving.
   */
  async deploy(workerId: string, bundle: WorkerBundle | null, info: DeployInfo): Promise<void> {
    // Each deployment is a script of its own, and Cloudflare gives no script's assets back to copy.
    if (info.assetsFrom) throw new PlatformError('invalid_request', ASSETS_NOT_CARRIED)
    if (!bundle) return this.deployStaticSite(workerId, info)
    // Only the outbound Worker enforces egress in a namespace: without it a policy would be a promise
    // nothing keeps, so it is refused rather than stored.
    if (!this.outboundWorker && info.settings.egress.mode !== 'allow-all') {
      throw new PlatformError('invalid_settings', EGRESS_NOT_ENFORCED)
    }
    const assets = info.assets?.files.length ? await this.uploadAssets(workerId, info.assets, info.ownerId) : undefined
    const main = bundle.modules.find((module) => module.name === bundle.mainModule)
    // Cloudflare runs no cron triggers in a namespace: the platform calls scheduled() through a wrapper.
    const uploaded = info.settings.crons?.length ? withScheduledEntry(bundle) : bundle
    await this.api.uploadScript(workerId, uploaded, {
      ...(main?.type === 'service-worker' ? { body_part: uploaded.mainModule } : { main_module: uploaded.mainModule }),
      ...scriptBasics(info),
      ...(this.tailConsumer ? { tail_consumers: [{ service: this.tailConsumer }] } : {}),
      bindings: [
        ...Object.entries(info.settings.vars).map(([name, text]) => ({ type: 'plain_text' as const, name, text })),
        // Cloudflare's own assets binding: the script's assets, as env.<name>.fetch() serves them.
        ...(info.settings.assetsBinding ? [{ type: 'assets' as const, name: info.settings.assetsBinding }] : []),
        // Cloudflare's json binding: the Worker gets the value, as from a wrangler config's vars.
        ...Object.entries(info.settings.jsonVars ?? {}).map(([name, text]) => ({
          type: 'json' as const,
          name,
          json: JSON.parse(text) as unknown,
        })),
        // Cloudflare holds the secret values of the script from here on.
        ...Object.entries(info.secrets).map(([name, text]) => ({ type: 'secret_text' as const, name, text })),
        ...storageBindings(info, this.platformWorker, workerId),
      ],
      ...(assets ? { assets } : {}),
    })
  }

  /**
   * A static site: assets and no Worker, uploaded as wrangler uploads an assets-only Worker (no
   * main module, no module parts). With no code to run there are no bindings, no tail consumer and
   * no egress to enforce.
   */
  private async deployStaticSite(workerId: string, info: DeployInfo): Promise<void> {
    const { assets } = info
    assertStaticSite(assets)
    const uploaded = await this.uploadAssets(workerId, assets, info.ownerId)
    await this.api.uploadScript(workerId, null, { assets: uploaded, ...scriptBasics(info) })
  }

  /**
   * The direct upload of a deployment's assets; Cloudflare skips the files it already holds. Their
   * hashes are salted with the owner, because Cloudflare keeps a namespace's assets by hash: equal
   * bytes of two tenants are two assets, so no tenant's upload can stand for another's (or tell
   * whether another holds a file), while a worker's next deploy re-sends only what changed.
   */
  private async uploadAssets(workerId: string, assets: DeploymentAssets, ownerId: string): Promise<ScriptAssets> {
    const hashed = await Promise.all(
      assets.files.map(async (file) => ({ ...file, hash: await assetHash(ownerId, file) })),
    )
    const jwt = await this.api.uploadAssets(workerId, hashed)
    return { jwt, config: assetConfig(assets.config) }
  }

  /**
   * The namespace's own `trusted_workers` flag, read through the API at most once a minute per
   * isolate (for the home page); a failure is reported, never thrown.
   */
  async namespaceTrust(now = Date.now()): Promise<NamespaceTrust> {
    if (this.trust && now - this.trust.at < TRUST_CACHE_MS) return this.trust.value
    let value: NamespaceTrust
    try {
      value = { trustedWorkers: await this.api.namespaceTrustedWorkers() }
    } catch (error) {
      value = { unknown: error instanceof PlatformError ? error.message : 'the Cloudflare API did not answer' }
    }
    this.trust = { at: now, value }
    return value
  }

  /** The modules as the namespace holds them (GET …/content), for "upload a new version". */
  async code(workerId: string): Promise<WorkerBundle | null> {
    const bundle = await this.api.scriptContent(workerId)
    return bundle && withoutScheduledEntry(bundle)
  }

  fetcher(workerId: string, options: FetcherOptions): UserWorkerFetcher {
    const { settings, context } = options
    const dispatcher = this.dispatcher
    if (!dispatcher) {
      throw new PlatformError(
        'backend_unavailable',
        'The dispatch-namespace backend is active but the "dispatcher" binding is missing: run or deploy with --env dispatch-namespace.',
      )
    }
    const send = async (request: Request) => {
      try {
        // The outbound Worker (see outbound/) applies the egress policy and stamps the hop count.
        const options = { limits: settings.limits, outbound: outboundParameters(settings.egress, context) }
        return await dispatcher.get(workerId, {}, options).fetch(request)
      } catch (error) {
        throw limitExceeded(error, settings.limits) ?? classifyDispatchError(error)
      }
    }
    return {
      // Only the platform may ask a worker to run scheduled(): a client's request never carries the header.
      fetch: (request) =>
        send(request.headers.has(SCHEDULED_HEADER) ? withoutHeader(request, SCHEDULED_HEADER) : request),
      async scheduled(event) {
        await send(scheduledRequest(event))
      },
      objectClass: (className) =>
        this.objectIsolate(workerId, options).getDurableObjectClass(className, { limits: settings.limits }),
    }
  }

  /**
   * A script's Durable Object classes run through the Worker Loader, as on dynamic-workers, with
   * the script's code as the namespace holds it: a Durable Object namespace belongs to its script,
   * and each deployment is a new script, so objects of the namespace's own would be lost at every
   * deploy. Loaded once per deployment (and tail), with the same env the script has.
   */
  private objectIsolate(workerId: string, options: FetcherOptions): WorkerStub {
    const { loader } = this
    if (!loader) {
      throw new PlatformError(
        'backend_unavailable',
        'Durable Objects of user Workers run through the Worker Loader: add the "LOADER" binding (wrangler.jsonc).',
      )
    }
    const traced = options.tail ? (options.cpu === 'only' ? '+cpu' : `+logs${options.cpu ? '+cpu' : ''}`) : ''
    return loader.get(`${workerId}+objects${traced}`, async () => {
      const bundle = await this.code(workerId)
      if (!bundle) throw new PlatformError('deployment_missing', 'This worker is registered, but its code is missing.')
      return loaderCode(bundle, await options.secrets(), options)
    })
  }

  async remove(workerId: string): Promise<void> {
    await this.api.deleteScript(workerId)
  }
}

/**
 * What the outbound Worker gets per dispatch, as strings (see outbound/index.ts). Unlike the
 * loader's isolates, a namespace passes these per call, so the hop count needs no separate isolate.
 */
function outboundParameters(egress: EgressPolicy, context: DispatchContext): OutboundParameters {
  return {
    egress: JSON.stringify(egress),
    hops: String(context.hops),
    platformHosts: context.platformHosts.join(','),
  }
}

const TRUST_CACHE_MS = 60_000

/**
 * env.KV and env.DB of a namespace script, and its declared stores: service bindings to this
 * Worker's TenantKV and TenantSQL entrypoints, with the worker's name, owner and store as props.
 * The props are part of the upload, which only the platform makes, so the script's code cannot
 * name another worker's data.
 */
function storageBindings(
  { settings, name, ownerId }: DeployInfo,
  platformWorker: string,
  workerId: string,
): ServiceBinding[] {
  const binding = (
    bindingName: string,
    entrypoint: string,
    store?: string,
    props: Record<string, string> = {},
  ): ServiceBinding => ({
    type: 'service',
    name: bindingName,
    service: platformWorker,
    entrypoint,
    props: { name, ownerId, ...(store === undefined ? {} : { store }), ...props },
  })
  const { storage } = settings
  return [
    ...(storage?.kv ? [binding(KV_BINDING, 'TenantKV')] : []),
    ...(storage?.sql ? [binding(DB_BINDING, 'TenantSQL')] : []),
    ...(storage?.kvNamespaces ?? []).map((named) => binding(named.binding, 'TenantKV', named.store)),
    ...(storage?.d1Databases ?? []).map((named) => binding(named.binding, 'TenantSQL', named.store)),
    // The objects run through the loader (see objectClass); `deployment` says which code holds the binding.
    ...(storage?.durableObjects ?? []).map(({ binding: bindingName, className, namespace }) =>
      binding(bindingName, 'TenantObjects', undefined, { namespace, className, deployment: workerId }),
    ),
  ]
}

/**
 * An asset's manifest hash: 32 hex characters (the form the API takes), SHA-256 over the owner, the
 * content type and the bytes. Cloudflare stores the type with the hash, so it is part of the input
 * (as wrangler hashes the file extension with the bytes); the owner keeps tenants' assets apart.
 */
export async function assetHash(ownerId: string, asset: Pick<StaticAsset, 'content' | 'contentType'>): Promise<string> {
  const prefix = encodeText(`${ownerId}\0${asset.contentType}\0`)
  const input = new Uint8Array(prefix.byteLength + asset.content.byteLength)
  input.set(prefix)
  input.set(asset.content, prefix.byteLength)
  return (await sha256Hex(input)).slice(0, 32)
}

/** The serving options Cloudflare takes, only those set (the API's defaults stand for the rest). */
function assetConfig(config: AssetConfig): AssetConfig {
  return {
    ...(config.html_handling ? { html_handling: config.html_handling } : {}),
    ...(config.not_found_handling ? { not_found_handling: config.not_found_handling } : {}),
    ...(config.run_worker_first !== undefined ? { run_worker_first: config.run_worker_first } : {}),
    // Cloudflare applies the files itself, as it does for wrangler's uploads.
    ...(config._redirects !== undefined ? { _redirects: config._redirects } : {}),
    ...(config._headers !== undefined ? { _headers: config._headers } : {}),
  }
}

/** What every upload of a deployment says: its runtime, and tags naming the worker and its owner. */
function scriptBasics(info: DeployInfo) {
  return {
    compatibility_date: info.compatibility.date,
    ...(info.compatibility.flags.length > 0 ? { compatibility_flags: info.compatibility.flags } : {}),
    // Tags let the namespace be searched and cleaned up by name or by owner through the API; the
    // tenant's own follow (deploy/tags.ts keeps them within Cloudflare's 8 per script).
    tags: [nameTag(info.name), ownerTag(info.ownerId), ...(info.settings.tags ?? [])],
  }
}

/** A static site needs files, and cannot send requests to a Worker it does not have (wrangler refuses it too). */
function assertStaticSite(assets: DeploymentAssets | undefined): asserts assets is DeploymentAssets {
  if (!assets || assets.files.length === 0) {
    throw new PlatformError('invalid_request', 'Nothing to deploy: give a Worker script, static assets, or both.')
  }
  const first = assets.config.run_worker_first
  if (first === true || (Array.isArray(first) && first.length > 0)) {
    throw new PlatformError(
      'invalid_request',
      'run_worker_first needs a Worker, and this static site has none: remove it, or add a Worker script.',
    )
  }
}

export const EGRESS_NOT_ENFORCED =
  'Egress policies (block-all, allow-list) are not available on this platform yet: its dispatch namespace has no ' +
  'outbound Worker to enforce them (the operator deploys outbound/ and sets DISPATCH_OUTBOUND_WORKER). ' +
  'Choose "Allow all" for now.'

function withoutHeader(request: Request, header: string): Request {
  const copy = new Request(request)
  copy.headers.delete(header)
  return copy
}

/** Separates failures of the namespace itself from exceptions thrown by the user's code. */
function classifyDispatchError(error: unknown): unknown {
  const message = errorMessage(error)
  if (message.startsWith('Worker not found')) {
    return new PlatformError(
      'deployment_missing',
      'This worker is registered, but its script is missing from the dispatch namespace.',
    )
  }
  if (message.includes('needs to be run remotely')) {
    return new PlatformError(
      'backend_unavailable',
      'The dispatch namespace cannot run locally. Use `npm run dev:namespace` (remote binding, needs credentials).',
    )
  }
  return error
}
