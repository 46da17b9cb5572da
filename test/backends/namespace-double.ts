// What the dispatch-namespace tests share: the `dispatcher` stand-in (the binding cannot run
// locally), the platform's bindings with the namespace backend configured, and access to the
// Cloudflare API double's records (test/doubles/cloudflare-api.js).
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { afterAll, expect, vi } from 'vitest'
import app from '../../src/index'
import type { ConfigVars } from '../../src/core/config'
import type { AssetConfig } from '../../src/core/model'
import { CLOUDFLARE_DOUBLE } from '../doubles/constants'
import { ORIGIN, platform } from '../helpers'

export const DOUBLE = 'http://cloudflare-api.test/__double'

export interface RecordedRequest {
  method: string
  path: string
  query: string
  authorization: string | null
  contentType: string | null
  parts: { field: string; filename: string | null; type: string | null; content: string }[]
  /** A JSON body (the assets upload session's), parsed. */
  json?: unknown
}

/** A script as the API double stored it: binary parts (wasm, data) as base64. */
export interface StoredScript {
  metadata: { main_module?: string; body_part?: string; compatibility_date: string; bindings?: UploadBinding[] }
  modules: Record<string, { type: string; content: string }>
  assets?: { config: AssetConfig; files: Record<string, { hash: string; contentType: string }> }
}

/** A part of an API upload as the runtime reads it, by its content type (as Cloudflare does). */
function asLoaderModule({ type, content }: StoredScript['modules'][string]): WorkerLoaderWorkerCode['modules'][string] {
  switch (type) {
    case 'application/javascript+module':
    case 'text/javascript+module':
      return { js: content }
    case 'application/javascript':
    case 'text/javascript':
      return content // service-worker syntax
    case 'text/plain':
      return { text: content }
    case 'application/wasm':
      return { wasm: Uint8Array.from(atob(content), (char) => char.charCodeAt(0)) }
    case 'application/octet-stream':
      return { data: Uint8Array.from(atob(content), (char) => char.charCodeAt(0)).buffer }
    default:
      throw new Error(`the test dispatcher cannot run a part of type ${type}`)
  }
}

/** A binding of an upload's metadata, as far as the stand-in runs them. */
type UploadBinding =
  | { type: 'plain_text' | 'secret_text'; name: string; text: string }
  | { type: 'json'; name: string; json: unknown }
  | { type: 'assets'; name: string }
  | { type: 'service'; name: string; service: string; entrypoint: string; props: Record<string, string> }

/**
 * The env a namespace script gets from its metadata: text bindings as strings, and service bindings
 * to the platform Worker's entrypoints (its storage) with their props, as Cloudflare would bind them.
 */
function envOf(bindings: UploadBinding[] = []): Record<string, unknown> {
  const platformExports = exports as unknown as Record<string, (options: { props: unknown }) => Fetcher>
  return Object.fromEntries(
    // Cloudflare serves an `assets` binding itself; the stand-in does not run it (tests read the metadata).
    bindings.flatMap((binding): [string, unknown][] => {
      if (binding.type === 'assets') return []
      if (binding.type === 'json') return [[binding.name, binding.json]]
      if (binding.type !== 'service') return [[binding.name, binding.text]]
      if (binding.service !== 'workers-for-platforms') throw new Error(`no service "${binding.service}" here`)
      const entrypoint = platformExports[binding.entrypoint]
      if (!entrypoint) throw new Error(`the platform Worker has no entrypoint "${binding.entrypoint}"`)
      return [[binding.name, entrypoint({ props: binding.props })]]
    }),
  )
}

/** What the platform passed to dispatcher.get() for each script (limits, outbound parameters). */
export const dispatchOptions = new Map<string, unknown>()

/**
 * Stands in for the dispatch namespace binding: looks scripts up in the API double and runs them.
 * A script containing SIMULATE_CPU_LIMIT throws as Cloudflare does when a custom limit is exceeded.
 * A script with assets is served as Cloudflare serves one: a matching asset first, then the Worker,
 * then (for a static site) its not-found handling.
 */
const dispatcher = {
  get(scriptName: string, _args: unknown, options: unknown) {
    dispatchOptions.set(scriptName, options)
    return {
      async fetch(request: Request) {
        const stored = await fetch(`${DOUBLE}/scripts/${encodeURIComponent(scriptName)}`)
        if (stored.status === 404) throw new Error('Worker not found.')
        const { metadata, modules, assets } = await stored.json<StoredScript>()
        const main = metadata.main_module ?? metadata.body_part
        if (assets) {
          const served = await serveAsset(assets, request, main !== undefined)
          if (served) return served
        }
        if (Object.values(modules).some((module) => module.content.includes('SIMULATE_CPU_LIMIT'))) {
          throw new Error('Worker exceeded CPU time limit.')
        }
        const worker = env.LOADER.load({
          compatibilityDate: metadata.compatibility_date,
          mainModule: main ?? '',
          modules: Object.fromEntries(Object.entries(modules).map(([name, module]) => [name, asLoaderModule(module)])),
          env: envOf(metadata.bindings),
        })
        return worker.getEntrypoint().fetch(request)
      },
    }
  },
}

/**
 * The asset for a request, Cloudflare's way in brief: GET and HEAD only; `/a` also finds `/a.html`
 * and `/a/index.html` (html_handling's default); `run_worker_first: true` leaves everything to the
 * Worker (route lists are not modelled); without a Worker, what matches nothing follows
 * not_found_handling. Null: the Worker answers.
 */
async function serveAsset(
  { config, files }: NonNullable<StoredScript['assets']>,
  request: Request,
  hasWorker: boolean,
): Promise<Response | null> {
  if (hasWorker && config.run_worker_first === true) return null
  const asset = (path: string, status = 200) => {
    const file = files[path]
    return (
      file &&
      fetch(`${DOUBLE}/assets/${file.hash}`).then((res) => new Response(res.body, { status, headers: res.headers }))
    )
  }
  if (request.method === 'GET' || request.method === 'HEAD') {
    const path = new URL(request.url).pathname
    const found = asset(path) ?? asset(`${path}.html`) ?? asset(`${path.replace(/\/?$/, '/')}index.html`)
    if (found) return found
  }
  if (hasWorker) return null
  switch (config.not_found_handling) {
    case 'single-page-application':
      return (await asset('/index.html')) ?? new Response(null, { status: 404 })
    case '404-page':
      return (await asset('/404.html', 404)) ?? new Response(null, { status: 404 })
    default:
      return new Response(null, { status: 404 })
  }
}

/** The Worker's bindings with the namespace backend configured. */
export type NamespaceEnv = Env & ConfigVars

export const namespaceEnv: NamespaceEnv = {
  ...env,
  CLOUDFLARE_API_TOKEN: CLOUDFLARE_DOUBLE.token,
  CLOUDFLARE_ACCOUNT_ID: CLOUDFLARE_DOUBLE.accountId,
  CLOUDFLARE_API_BASE_URL: CLOUDFLARE_DOUBLE.baseUrl,
  DISPATCH_NAMESPACE: CLOUDFLARE_DOUBLE.namespace,
  // Only get() and fetch() are used by the platform.
  dispatcher: dispatcher as unknown as DispatchNamespace,
}

/**
 * The suite's way to call the platform. Every response it gets and every line the platform logs is
 * checked for the API token after the suite (at least `minResponses` of them, so the check bites),
 * and for any other secret `alsoSecret` names by then (e.g. asset upload JWTs).
 */
export function callWatchingForTheToken(minResponses: number, alsoSecret: () => Iterable<string> = () => []) {
  const responses: string[] = []
  const logged: unknown[][] = []
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level].bind(console)
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args)
      original(...args)
    })
  }
  afterAll(() => {
    expect(responses.length).toBeGreaterThan(minResponses)
    const secrets = [CLOUDFLARE_DOUBLE.token, ...alsoSecret()]
    for (const text of [...responses, ...logged.map((args) => args.map(String).join(' '))]) {
      for (const secret of secrets) expect(text).not.toContain(secret)
    }
  })
  return {
    call: async (path: string, init?: RequestInit, environment: NamespaceEnv = namespaceEnv): Promise<Response> => {
      const ctx = createExecutionContext()
      const res = await app.fetch(new Request(new URL(path, ORIGIN), { redirect: 'manual', ...init }), environment, ctx)
      await waitOnExecutionContext(ctx)
      responses.push(JSON.stringify([...res.headers]) + (await res.clone().text()))
      return res
    },
    /** Records anything else the suite wants checked too (e.g. an error thrown by the service). */
    record: (text: string) => {
      responses.push(text)
    },
  }
}

export const recorded = async () => (await fetch(`${DOUBLE}/requests`)).json<RecordedRequest[]>()

/** The API double answers the next call (whose path contains `match` / whose method is `method`) with this error. */
export const failNext = (
  status: number,
  errors: { code: number; message: string }[],
  only: { match?: string; method?: string } = {},
) => fetch(`${DOUBLE}/fail`, { method: 'POST', body: JSON.stringify({ status, errors, ...only }) })

export const resetDouble = () => fetch(`${DOUBLE}/reset`, { method: 'POST' })

/**
 * The two backends a suite runs against, as `describe.each` takes them: dynamic-workers through the
 * Worker itself, dispatch-namespace through the API double (watched for the token, see above).
 */
export function bothBackends(minResponses: number) {
  const namespace = callWatchingForTheToken(minResponses)
  return [
    { kind: 'dynamic-workers', call: (path: string, init?: RequestInit) => platform(path, init) },
    { kind: 'dispatch-namespace', call: (path: string, init?: RequestInit) => namespace.call(path, init) },
  ] as const
}

/** A call to the platform on one of the backends. */
export type BackendCall = (path: string, init?: RequestInit) => Promise<Response>
