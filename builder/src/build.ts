import { InMemoryFileSystem, inferContentType } from '@cloudflare/worker-bundler'
import type { BuildLimits, BuildRequest, BuildResult, BuildSuccess, StaticAsset } from '../../src/deploy/build'
import { bundle } from './bundle'
import { BuildCache, buildKey } from './cache'
import { buildOutputs, entryFailure, missingAssetsWarning, missingBuildOutput, noEntryMessage } from './build-output'
import { checkDeclared, resolveFromLockfile, resolveFromRegistry, type Resolution } from './dependencies'
import { BuildFailed } from './failure'
import { scanImports } from './imports'
import { readSource, type ProjectFiles } from './input'
import { installPackages } from './install'
import { readPackageExtras } from './package-extras'
import { Registry } from './registry'
import { detectEntry, isUnder, readProjectConfig, text, type ProjectConfig } from './project'
import { inferredWarning, jsxImportSource, wantedPackages } from './wanted'
import { errorMessage } from '../../src/lib/errors'

/** Up to 32 builds or 64 MB of output per isolate. */
const cache = new BuildCache(32, 64 * 1024 * 1024)

/** One build, start to finish: never throws, every failure is a BuildFailure. */
export async function build(request: BuildRequest): Promise<BuildResult> {
  try {
    checkRequest(request)
    return await withTimeout(request.limits.maxBuildMs, () => run(request))
  } catch (error) {
    if (error instanceof BuildFailed) return error.toResult()
    console.error('builder: unexpected failure', error)
    return {
      ok: false,
      kind: 'internal',
      errors: [{ message: `The builder failed: ${errorMessage(error)}` }],
    }
  }
}

async function run(request: BuildRequest): Promise<BuildSuccess> {
  const files = readSource(request.source, request.limits)
  const config = readProjectConfig(files)
  const warnings: string[] = []
  const sources: ProjectFiles = new Map()
  const assets: StaticAsset[] = []
  for (const [path, content] of files) {
    if (isUnder(path, config.assetsDirectory)) {
      assets.push(toAsset(`/${path.slice(config.assetsDirectory.length).replace(/^\/+/, '')}`, content))
    } else if (path.startsWith('node_modules/')) {
      // Packages come from the registry at the versions reported back, never from the upload.
      if (!warnings.some((warning) => warning.startsWith('node_modules/'))) {
        warnings.push('node_modules/ was left out: packages are installed from the registry.')
      }
    } else {
      sources.set(path, content)
    }
  }

  const extras = readPackageExtras(files)
  const outputs = buildOutputs(extras.scripts?.build)
  if (config.assetConfig && assets.length === 0) warnings.push(missingAssetsWarning(config.assetsDirectory, outputs))

  const clientEntries = request.clientEntries ?? []
  const entry = entryOf(sources, config, request.entry, outputs)
  if (!entry && (clientEntries.length > 0 || assets.length === 0)) {
    throw BuildFailed.user(
      clientEntries.length > 0
        ? 'Client entries need a Worker entry module too.'
        : noEntryMessage(config.assetsDirectory, outputs),
    )
  }
  for (const client of clientEntries) {
    if (!sources.has(client))
      throw BuildFailed.user(`The client entry ${client} is not in the project.`, { file: client })
  }

  // What the Worker's modules import (esbuild reads them, nothing is installed yet): which packages to
  // install, and whether an import points into a build output the upload lacks.
  const scan = entry ? await scanImports(sources, [entry, ...clientEntries]) : undefined
  const unbuilt = scan && missingBuildOutput(scan.missing, outputs)
  if (unbuilt) throw unbuilt
  const { declared, inferred } = scan ? wantedPackages(config, extras, scan) : { declared: {}, inferred: [] }
  checkDeclared(declared)
  const registry = new Registry(request.registry, request.limits)
  const resolution = await resolve(declared, sources, registry, request.limits)
  const versions = resolution.versions
  warnings.push(...inferredWarning(inferred, versions), ...resolution.warnings)
  // Reuse only within the caller's scope (one tenant): a hit answers in milliseconds, a miss in
  // hundreds, so a cache shared across tenants would tell one tenant what another has built.
  const scope = request.cacheScope
  const key =
    scope === undefined
      ? undefined
      : await buildKey({
          scope,
          files,
          versions,
          options: { entry, clientEntries, registry: request.registry, limits: request.limits },
        })
  const hit = key === undefined ? undefined : cache.get(key)
  if (hit) return { ...hit, cached: true }

  let worker: BuildSuccess['worker'] = null
  if (entry) {
    const fileSystem = new InMemoryFileSystem()
    const decoder = new TextDecoder()
    for (const [path, content] of sources) fileSystem.write(path, decoder.decode(content))
    await installPackages(fileSystem, resolution, request.limits)
    const bundled = await bundle({
      fileSystem,
      entry,
      clientEntries,
      registry: request.registry,
      compatibilityFlags: config.compatibilityFlags ?? [],
      ...jsxImportSource(config, declared),
    })
    worker = bundled.worker
    warnings.push(...bundled.warnings)
    const encoder = new TextEncoder()
    for (const [path, content] of Object.entries(bundled.clientAssets)) {
      if (assets.some((asset) => asset.path === path)) {
        throw BuildFailed.user(`The client bundle ${path} would replace the static file of the same path.`)
      }
      assets.push(toAsset(path, encoder.encode(content)))
    }
  }

  const result: BuildSuccess = {
    ok: true,
    worker,
    files: [...files.keys()].filter((path) => !path.startsWith('node_modules/')).sort(),
    assets: assets.sort((a, b) => a.path.localeCompare(b.path)),
    ...(config.assetConfig ? { assetConfig: config.assetConfig } : {}),
    dependencies: Object.fromEntries([...versions].sort(([a], [b]) => a.localeCompare(b))),
    ...(config.compatibilityDate ? { compatibilityDate: config.compatibilityDate } : {}),
    ...(config.compatibilityFlags ? { compatibilityFlags: config.compatibilityFlags } : {}),
    ...(config.declared ? { declared: config.declared } : {}),
    warnings: [...warnings, ...ignoredKeysWarning(config)],
    cached: false,
  }
  if (key !== undefined) cache.set(key, result)
  return result
}

function resolve(
  declared: Record<string, string>,
  sources: ProjectFiles,
  registry: Registry,
  limits: BuildLimits,
): Promise<Resolution> | Resolution {
  if (Object.keys(declared).length === 0) return { versions: new Map(), tarballs: new Map(), warnings: [] }
  const lock = text(sources, 'package-lock.json')
  if (lock !== undefined) return resolveFromLockfile(declared, lock, registry, limits)
  return resolveFromRegistry(declared, registry, limits)
}

/** detectEntry, its failure saying so when the missing entry looks like a build output. */
function entryOf(sources: ProjectFiles, config: ProjectConfig, explicit: string | undefined, outputs: string[]) {
  try {
    return detectEntry(sources, config, explicit)
  } catch (error) {
    throw entryFailure(error, outputs)
  }
}

function toAsset(path: string, content: Uint8Array): StaticAsset {
  return { path, content, contentType: inferContentType(path) ?? 'application/octet-stream', size: content.byteLength }
}

/** The platform sends the limits; nonsense there is its bug, not the tenant's. */
function checkRequest(request: BuildRequest): void {
  const limitNames: (keyof BuildLimits)[] = [
    'maxTotalBytes',
    'maxFiles',
    'maxFileBytes',
    'maxDependencies',
    'maxBuildMs',
    'maxPackageBytes',
    'maxInstallBytes',
    'maxPackumentBytes',
  ]
  const problems: string[] = limitNames.filter(
    (name) => !(Number.isFinite(request.limits?.[name]) && request.limits[name] > 0),
  )
  if (!URL.canParse(request.registry) || !/^https?:$/.test(new URL(request.registry).protocol))
    problems.push('registry')
  const scope: unknown = request.cacheScope
  if (scope !== undefined && !(typeof scope === 'string' && scope.length > 0 && scope.length <= 256))
    problems.push('cacheScope')
  if (problems.length > 0) {
    throw new BuildFailed('internal', [{ message: `Invalid build request: ${problems.join(', ')}.` }])
  }
}

async function withTimeout<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(BuildFailed.limit('maxBuildMs', `The build took over ${ms} ms and was stopped.`)),
      ms,
    )
  })
  try {
    return await Promise.race([work(), timeout])
  } finally {
    if (timer !== undefined) clearTimeout(timer)
  }
}

/** The wrangler keys that configure Cloudflare's side of a Worker (routes, observability, …): read by no one here. */
function ignoredKeysWarning(config: ProjectConfig): string[] {
  const ignored = config.declared?.ignored ?? []
  if (ignored.length === 0) return []
  return [`${config.declared?.file}: ignored on this platform: ${ignored.join(', ')}.`]
}
