import { createApp, createWorker, type InMemoryFileSystem, type Modules } from '@cloudflare/worker-bundler'
import { parse as parseImports } from 'es-module-lexer/js'
import type { BuildError } from '../../src/deploy/build'
import type { WorkerBundle } from '../../src/core/model'
import { BuildFailed } from './failure'
import { toWorkerBundle } from './modules'
import { isNodeBuiltin } from './node-builtins'
import { packageSubpaths } from './subpaths'
import { errorMessage } from '../../src/lib/errors'

export interface BundleOptions {
  fileSystem: InMemoryFileSystem
  entry: string
  clientEntries: string[]
  registry: string
  jsxImportSource?: string
  compatibilityFlags: string[]
}

export interface Bundled {
  worker: WorkerBundle
  /** Client bundles by asset path ("/client.js"). */
  clientAssets: Record<string, string>
  warnings: string[]
}

/** Bundles the Worker (and any browser entries) with worker-bundler: esbuild-wasm, TS/JSX, npm imports. */
export async function bundle(options: BundleOptions): Promise<Bundled> {
  const shared = {
    files: options.fileSystem,
    registry: options.registry,
    jsx: 'automatic' as const,
    ...(options.jsxImportSource ? { jsxImportSource: options.jsxImportSource } : {}),
    // worker-bundler's name for esbuild plugins; this one runs before its own resolver.
    __dangerouslyUseEsBuildPluginsDoNotUseOrYouWillBeFired: [packageSubpaths(options.fileSystem)],
  }
  let mainModule: string
  let modules: Modules
  let warnings: string[]
  const clientAssets: Record<string, string> = {}
  try {
    if (options.clientEntries.length > 0) {
      const app = await createApp({ ...shared, server: options.entry, client: options.clientEntries })
      ;({ mainModule, modules } = app)
      warnings = app.warnings ?? []
      for (const path of app.clientBundles ?? []) {
        const content = app.assets[path]
        if (typeof content === 'string') clientAssets[path] = content
      }
    } else {
      const worker = await createWorker({ ...shared, entryPoint: options.entry })
      ;({ mainModule, modules } = worker)
      warnings = worker.warnings ?? []
    }
  } catch (error) {
    throw toBuildFailed(error)
  }
  checkImports(modules, options.compatibilityFlags)
  return { worker: toWorkerBundle(mainModule, modules), clientAssets, warnings }
}

interface EsbuildMessage {
  text: string
  location?: { file: string; line: number; column: number } | null
}

/** esbuild's errors (its line is 1-based, its column 0-based) as BuildErrors with 1-based columns. */
function toBuildFailed(error: unknown): BuildFailed {
  const messages = (error as { errors?: EsbuildMessage[] } | null)?.errors
  if (Array.isArray(messages) && messages.length > 0) {
    return new BuildFailed(
      'user',
      messages.map((message): BuildError => {
        const location = message.location
        if (!location) return { message: message.text }
        const file = location.file.replace(/^virtual:/, '')
        const column = location.column + 1
        return { message: `${file}:${location.line}:${column}: ${message.text}`, file, line: location.line, column }
      }),
    )
  }
  return new BuildFailed('internal', [{ message: `The bundler failed: ${errorMessage(error)}` }])
}

/**
 * worker-bundler leaves any import it cannot resolve (a missing file, a package not installed) as
 * an external import, which would only fail when the Worker starts. Here it fails the build.
 */
function checkImports(modules: Modules, compatibilityFlags: string[]): void {
  const nodeCompat = compatibilityFlags.some((flag) => flag.startsWith('nodejs_'))
  const unresolved = new Set<string>()
  for (const [name, module] of Object.entries(modules)) {
    const code = typeof module === 'string' ? module : module.js
    if (code === undefined) continue
    const [imports] = parseImports(code, name)
    for (const { n: specifier } of imports) {
      if (specifier === undefined || specifier.startsWith('cloudflare:') || specifier in modules) continue
      if (nodeCompat && isNodeBuiltin(specifier)) continue
      unresolved.add(specifier)
    }
  }
  if (unresolved.size === 0) return
  throw new BuildFailed(
    'user',
    [...unresolved].map((specifier) => ({
      message:
        specifier.startsWith('.') || specifier.startsWith('/')
          ? `Cannot resolve import "${specifier}": no such file in the project.`
          : isNodeBuiltin(specifier)
            ? `Import "${specifier}" needs the nodejs_compat compatibility flag in wrangler config.`
            : `Cannot resolve import "${specifier}": add the package to package.json dependencies.`,
    })),
  )
}
