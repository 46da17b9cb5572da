import { parse as parseToml } from 'smol-toml'
import type { AssetConfig } from '../../src/deploy/build'
import { BuildFailed } from './failure'
import type { ProjectFiles } from './input'
import { parseJsonc } from './jsonc'
import { errorMessage } from '../../src/lib/errors'

/** What a project says about itself in wrangler.json/jsonc/toml, package.json and tsconfig.json. */
export interface ProjectConfig {
  main?: string
  compatibilityDate?: string
  compatibilityFlags?: string[]
  /** The static-assets folder ("public" unless the wrangler config names another), no trailing "/". */
  assetsDirectory: string
  assetConfig?: AssetConfig
  packageJson?: PackageJson
  jsxImportSource?: string
}

export interface PackageJson {
  main?: unknown
  module?: unknown
  exports?: unknown
  dependencies?: Record<string, string>
}

const WRANGLER_FILES = ['wrangler.json', 'wrangler.jsonc', 'wrangler.toml'] as const
const HTML_HANDLING = ['auto-trailing-slash', 'force-trailing-slash', 'drop-trailing-slash', 'none'] as const
const NOT_FOUND_HANDLING = ['single-page-application', '404-page', 'none'] as const

/** Same order as worker-bundler's own detection, so an explicit entry never changes the outcome. */
export const DEFAULT_ENTRIES = [
  'src/index.ts',
  'src/index.js',
  'src/index.mts',
  'src/index.mjs',
  'index.ts',
  'index.js',
  'src/worker.ts',
  'src/worker.js',
]

const SCRIPT = /\.(m?[jt]sx?)$/

export function text(files: ProjectFiles, path: string): string | undefined {
  const bytes = files.get(path)
  return bytes && new TextDecoder().decode(bytes)
}

function parseFile(files: ProjectFiles, path: string, parse: (text: string) => unknown): Record<string, unknown> {
  const source = text(files, path)
  if (source === undefined) return {}
  let value: unknown
  try {
    value = parse(source)
  } catch (error) {
    throw BuildFailed.user(`${path} is not valid: ${errorMessage(error)}`, {
      file: path,
    })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw BuildFailed.user(`${path} must hold an object.`, { file: path })
  }
  return value as Record<string, unknown>
}

export function readProjectConfig(files: ProjectFiles): ProjectConfig {
  const wranglerPath = WRANGLER_FILES.find((path) => files.has(path))
  const wrangler = wranglerPath
    ? parseFile(files, wranglerPath, wranglerPath.endsWith('.toml') ? parseToml : parseJsonc)
    : {}
  const packageJson = files.has('package.json') ? readPackageJson(files) : undefined
  const compilerOptions = parseFile(files, 'tsconfig.json', parseJsonc).compilerOptions as
    Record<string, unknown> | undefined
  const assets = wrangler.assets as Record<string, unknown> | undefined

  const config: ProjectConfig = {
    assetsDirectory: 'public',
    ...(packageJson ? { packageJson } : {}),
  }
  const where = wranglerPath ?? ''
  if (wrangler.main !== undefined) config.main = stringField(wrangler.main, `${where}: main`)
  if (wrangler.compatibility_date !== undefined) {
    config.compatibilityDate = stringField(wrangler.compatibility_date, `${where}: compatibility_date`)
    if (!/^\d{4}-\d{2}-\d{2}$/.test(config.compatibilityDate)) {
      throw BuildFailed.user(`${where}: compatibility_date must look like 2026-11-01.`, { file: where })
    }
  }
  if (wrangler.compatibility_flags !== undefined) {
    const flags = wrangler.compatibility_flags
    if (!Array.isArray(flags) || !flags.every((flag) => typeof flag === 'string')) {
      throw BuildFailed.user(`${where}: compatibility_flags must be a list of strings.`, { file: where })
    }
    config.compatibilityFlags = flags
  }
  if (assets !== undefined) {
    if (typeof assets !== 'object' || assets === null) {
      throw BuildFailed.user(`${where}: assets must be an object.`, { file: where })
    }
    if (assets.directory !== undefined) {
      const directory = stringField(assets.directory, `${where}: assets.directory`)
      config.assetsDirectory = directory.replace(/^\.\//, '').replace(/\/+$/, '')
    }
    config.assetConfig = readAssetConfig(assets, where)
  }
  const jsxImportSource = compilerOptions?.jsxImportSource
  if (typeof jsxImportSource === 'string') config.jsxImportSource = jsxImportSource
  return config
}

function readPackageJson(files: ProjectFiles): PackageJson {
  const pkg = parseFile(files, 'package.json', JSON.parse)
  const dependencies = pkg.dependencies
  if (dependencies !== undefined) {
    if (
      typeof dependencies !== 'object' ||
      dependencies === null ||
      !Object.values(dependencies).every((range) => typeof range === 'string')
    ) {
      throw BuildFailed.user('package.json: dependencies must map package names to version ranges.', {
        file: 'package.json',
      })
    }
  }
  return pkg
}

function readAssetConfig(assets: Record<string, unknown>, where: string): AssetConfig {
  const config: AssetConfig = {}
  const { html_handling, not_found_handling, run_worker_first } = assets
  if (html_handling !== undefined)
    config.html_handling = oneOf(html_handling, HTML_HANDLING, `${where}: assets.html_handling`)
  if (not_found_handling !== undefined) {
    config.not_found_handling = oneOf(not_found_handling, NOT_FOUND_HANDLING, `${where}: assets.not_found_handling`)
  }
  if (run_worker_first !== undefined) {
    const valid =
      typeof run_worker_first === 'boolean' ||
      (Array.isArray(run_worker_first) && run_worker_first.every((rule) => typeof rule === 'string'))
    if (!valid) throw BuildFailed.user(`${where}: assets.run_worker_first must be true, false or a list of paths.`)
    config.run_worker_first = run_worker_first
  }
  return config
}

function stringField(value: unknown, what: string): string {
  if (typeof value !== 'string') throw BuildFailed.user(`${what} must be a string.`)
  return value
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value as T)) throw BuildFailed.user(`${what} must be one of: ${allowed.join(', ')}.`)
  return value as T
}

/**
 * The Worker's entry module, or undefined for a project without one (a static site). Order:
 * explicit, wrangler `main`, package.json `exports["."]`/`module`/`main`, DEFAULT_ENTRIES, and
 * last the only script outside the assets folder (a single pasted worker.ts / worker.tsx).
 */
export function detectEntry(files: ProjectFiles, config: ProjectConfig, explicit?: string): string | undefined {
  const named = explicit ?? config.main ?? packageEntry(config.packageJson)
  if (named !== undefined) {
    const entry = named.replace(/^\.\//, '')
    if (!files.has(entry)) throw BuildFailed.user(`The entry module ${entry} is not in the project.`, { file: entry })
    return entry
  }
  const byDefault = DEFAULT_ENTRIES.find((path) => files.has(path))
  if (byDefault) return byDefault
  const scripts = [...files.keys()].filter(
    (path) => SCRIPT.test(path) && !path.endsWith('.d.ts') && !isUnder(path, config.assetsDirectory),
  )
  return scripts.length === 1 ? scripts[0] : undefined
}

function packageEntry(pkg: PackageJson | undefined): string | undefined {
  if (!pkg) return undefined
  const dot: unknown =
    typeof pkg.exports === 'object' && pkg.exports !== null
      ? (pkg.exports as Record<string, unknown>)['.']
      : pkg.exports
  if (typeof dot === 'string') return dot
  if (typeof dot === 'object' && dot !== null) {
    const conditions = dot as Record<string, unknown>
    const entry = conditions.import ?? conditions.default ?? conditions.module
    if (typeof entry === 'string') return entry
  }
  if (typeof pkg.module === 'string') return pkg.module
  if (typeof pkg.main === 'string') return pkg.main
  return undefined
}

export function isUnder(path: string, directory: string): boolean {
  return directory === '' || path.startsWith(`${directory}/`)
}
