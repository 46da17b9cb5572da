import { env } from 'cloudflare:test'
import { exports } from 'cloudflare:workers'
import type {
  BuildLimits,
  BuildRequest,
  BuildResult,
  BuildSource,
  BuildSuccess,
  BuildFailure,
} from '../../src/deploy/build'
import { NPM_REGISTRY_DOUBLE } from '../doubles/npm-registry-constants'
import { npmTarball } from '../doubles/tarball'

export const REGISTRY = NPM_REGISTRY_DOUBLE.url

export const LIMITS: BuildLimits = {
  maxTotalBytes: 5_000_000,
  maxFiles: 500,
  maxFileBytes: 1_000_000,
  maxDependencies: 50,
  maxBuildMs: 25_000,
  maxPackageBytes: 4_000_000,
  maxInstallBytes: 8_000_000,
  maxPackumentBytes: 1_000_000,
}

interface Builder {
  build(request: BuildRequest): Promise<BuildResult>
}

/** Calls the builder over RPC, through the Worker's own `Builder` entrypoint, as the platform will. */
export function build(source: BuildSource, request: Partial<BuildRequest> = {}): Promise<BuildResult> {
  const builder = (exports as unknown as { Builder: Builder }).Builder
  return builder.build({ source, registry: REGISTRY, limits: LIMITS, ...request })
}

export async function buildOk(source: BuildSource, request: Partial<BuildRequest> = {}): Promise<BuildSuccess> {
  const result = await build(source, request)
  if (!result.ok) throw new Error(`build failed (${result.kind}): ${JSON.stringify(result.errors)}`)
  return result
}

export async function buildFails(source: BuildSource, request: Partial<BuildRequest> = {}): Promise<BuildFailure> {
  const result = await build(source, request)
  if (result.ok) throw new Error('build succeeded but was expected to fail')
  return result
}

export interface PackageSpec {
  name: string
  version: string
  files: Record<string, string>
  /** As the registry lists them: anything JSON, so a test can publish metadata off npm's shape. */
  dependencies?: Record<string, unknown>
  /** Extra package.json fields (exports, main, module…). */
  manifest?: Record<string, unknown>
  /** The dist-tag to move to this version: "latest" unless null. */
  tag?: string | null
  /** The tarball as published, instead of one packed from `files`. */
  tarball?: Uint8Array
  /** Bytes of filler metadata on this version in the packument. */
  padding?: number
  /** The registry streams the packument, without a Content-Length. */
  streamed?: boolean
}

/** Publishes a package into the registry double. */
export async function publish(spec: PackageSpec): Promise<void> {
  const manifest = { name: spec.name, version: spec.version, dependencies: spec.dependencies ?? {}, ...spec.manifest }
  const tarball = spec.tarball ?? npmTarball({ 'package.json': JSON.stringify(manifest), ...spec.files })
  const response = await fetch(`${REGISTRY}/-/publish`, {
    method: 'POST',
    body: JSON.stringify({
      name: spec.name,
      version: spec.version,
      dependencies: spec.dependencies ?? {},
      tag: spec.tag === undefined ? 'latest' : spec.tag,
      tarball: toBase64(tarball),
      padding: spec.padding ?? 0,
      streamed: spec.streamed ?? false,
    }),
  })
  if (!response.ok) throw new Error(`publish failed: ${response.status}`)
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export interface RegistryRequests {
  packument: number
  tarball: number
  /** Bytes of a streamed packument its readers pulled. */
  streamedBytes: number
}

/** How often the registry double served this package's metadata and tarballs. */
export async function registryRequests(name: string): Promise<RegistryRequests> {
  const response = await fetch(`${REGISTRY}/-/requests?name=${encodeURIComponent(name)}`)
  return response.json<RegistryRequests>()
}

/** A name no other test uses, for packages whose versions a test changes. */
export function uniquePackage(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`
}

/** The bundle's one ES module: what the builder produced for the Worker. */
export function mainCode(result: BuildSuccess): string {
  const main = result.worker?.modules.find((module) => module.name === result.worker?.mainModule)
  if (!main) throw new Error('no main module')
  return main.content
}

/** Loads a built Worker in a fresh Worker Loader isolate (a test-only binding), with `bindings` as its env. */
export function loadWorker(result: BuildSuccess, bindings: Record<string, unknown> = {}): WorkerStub {
  const worker = result.worker
  if (!worker) throw new Error('no worker')
  const loader = (env as unknown as { LOADER: WorkerLoader }).LOADER
  return loader.load({
    compatibilityDate: result.compatibilityDate ?? '2026-11-01',
    compatibilityFlags: result.compatibilityFlags ?? [],
    mainModule: worker.mainModule,
    modules: Object.fromEntries(worker.modules.map((module) => [module.name, { js: module.content }])),
    env: bindings,
  })
}

/** Runs a built Worker in a fresh isolate and sends it one request. */
export async function runWorker(result: BuildSuccess, request: Request): Promise<Response> {
  return loadWorker(result).getEntrypoint().fetch(request)
}

/** Every path (with its query) the registry double has been asked for. */
export async function registryPaths(): Promise<string[]> {
  return (await fetch(`${REGISTRY}/-/paths`)).json<string[]>()
}
