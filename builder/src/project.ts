import { parse as parseToml } from 'smol-toml'
import {
  array,
  boolean,
  lazy,
  looseObject,
  never,
  null_,
  nullish,
  optional,
  picklist,
  pipe,
  record,
  regex,
  string,
  type GenericSchema,
  type InferOutput,
} from 'valibot'
import type { AssetConfig, D1Migration, DeclaredEnv } from '../../src/deploy/build'
import { BuildFailed } from './failure'
import type { ProjectFiles } from './input'
import { parseJsonc } from './jsonc'
import { isPlainObject, parseDocument, plainObject } from './schema'
import { errorMessage } from '../../src/lib/errors'
import { declaredEnv, WranglerEnvSchema } from './wrangler-env'

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
  /** What the project's wrangler file declares for `env` (see wrangler-env.ts). */
  declared?: DeclaredEnv
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

// What the builder reads of each file (loose: the rest is wrangler's, npm's or tsc's business).
const MUST_BE_STRING = 'must be a string.'
const MUST_BE_OBJECT = 'must be an object.'
const MUST_HOLD_OBJECT = 'the file must hold an object.'

const WranglerConfig = plainObject(
  looseObject({
    main: optional(string(MUST_BE_STRING)),
    // An unquoted TOML date is a date, not a string: wrangler refuses it too.
    compatibility_date: optional(
      pipe(string(MUST_BE_STRING), regex(/^\d{4}-\d{2}-\d{2}$/, 'must look like 2026-11-01.')),
    ),
    compatibility_flags: optional(array(string(MUST_BE_STRING), 'must be a list of strings.')),
    assets: optional(
      plainObject(
        looseObject({
          directory: optional(string(MUST_BE_STRING)),
          html_handling: optional(picklist(HTML_HANDLING, `must be one of: ${HTML_HANDLING.join(', ')}.`)),
          not_found_handling: optional(
            picklist(NOT_FOUND_HANDLING, `must be one of: ${NOT_FOUND_HANDLING.join(', ')}.`),
          ),
          // Picked by the value's type, so a bad rule is named by its index.
          run_worker_first: optional(
            lazy((value): GenericSchema<boolean | string[]> =>
              typeof value === 'boolean'
                ? boolean()
                : Array.isArray(value)
                  ? array(string('must be a path (a string).'))
                  : never('must be true, false or a list of paths.'),
            ),
          ),
        }),
        MUST_BE_OBJECT,
      ),
    ),
  }),
  MUST_HOLD_OBJECT,
)

/** A package.json "exports" target: a path, null (not exported), fallbacks, or subpaths/conditions. */
type Exports = string | null | Exports[] | { [key: string]: Exports }

const ExportsSchema: GenericSchema<Exports> = lazy((value) =>
  typeof value === 'string'
    ? string()
    : value === null
      ? null_()
      : Array.isArray(value)
        ? array(ExportsSchema)
        : isPlainObject(value)
          ? record(string(), ExportsSchema)
          : never('must be a path, null, a list or an object of subpaths or conditions.'),
)

const PackageJsonSchema = plainObject(
  looseObject({
    main: optional(string(MUST_BE_STRING)),
    module: optional(string(MUST_BE_STRING)),
    exports: optional(ExportsSchema),
    dependencies: optional(
      plainObject(
        record(string(), string('must be a version range (a string).')),
        'must map package names to version ranges.',
      ),
    ),
  }),
  MUST_HOLD_OBJECT,
)

export type PackageJson = InferOutput<typeof PackageJsonSchema>

const TsConfig = plainObject(
  looseObject({
    compilerOptions: optional(
      plainObject(looseObject({ jsxImportSource: nullish(string(MUST_BE_STRING)) }), MUST_BE_OBJECT),
    ),
  }),
  MUST_HOLD_OBJECT,
)

export function text(files: ProjectFiles, path: string): string | undefined {
  const bytes = files.get(path)
  return bytes && new TextDecoder().decode(bytes)
}

/** The file at `path` parsed and checked by `schema`; undefined when the project has no such file. */
function parseFile<S extends GenericSchema>(
  files: ProjectFiles,
  path: string,
  parse: (text: string) => unknown,
  schema: S,
): InferOutput<S> | undefined {
  const source = text(files, path)
  if (source === undefined) return undefined
  let value: unknown
  try {
    value = parse(source)
  } catch (error) {
    throw BuildFailed.user(`${path} is not valid: ${errorMessage(error)}`, {
      file: path,
    })
  }
  return parseDocument(schema, value, path, (message) => BuildFailed.user(message, { file: path }))
}

export function readProjectConfig(files: ProjectFiles): ProjectConfig {
  const wranglerPath = WRANGLER_FILES.find((path) => files.has(path))
  const wrangler = wranglerPath
    ? parseFile(files, wranglerPath, wranglerPath.endsWith('.toml') ? parseToml : parseJsonc, WranglerConfig)
    : undefined
  const packageJson = parseFile(files, 'package.json', JSON.parse, PackageJsonSchema)
  const tsconfig = parseFile(files, 'tsconfig.json', parseJsonc, TsConfig)

  const config: ProjectConfig = {
    assetsDirectory: 'public',
    ...(packageJson ? { packageJson } : {}),
  }
  if (wrangler?.main !== undefined) config.main = wrangler.main
  if (wrangler?.compatibility_date !== undefined) config.compatibilityDate = wrangler.compatibility_date
  if (wrangler?.compatibility_flags !== undefined) config.compatibilityFlags = wrangler.compatibility_flags
  const assets = wrangler?.assets
  if (assets !== undefined) {
    if (assets.directory !== undefined) {
      config.assetsDirectory = assets.directory.replace(/^\.\//, '').replace(/\/+$/, '')
    }
    const { html_handling, not_found_handling, run_worker_first } = assets
    config.assetConfig = {
      ...(html_handling !== undefined ? { html_handling } : {}),
      ...(not_found_handling !== undefined ? { not_found_handling } : {}),
      ...(run_worker_first !== undefined ? { run_worker_first } : {}),
    }
  }
  if (wrangler && wranglerPath) {
    const fail = (message: string) => BuildFailed.user(message, { file: wranglerPath })
    const declared = declaredEnv(wranglerPath, wrangler, parseDocument(WranglerEnvSchema, wrangler, wranglerPath, fail))
    config.declared = {
      ...declared,
      d1: declared.d1.map((db) => ({ ...db, migrations: migrationsIn(files, db.migrationsDir) })),
    }
  }
  const jsxImportSource = tsconfig?.compilerOptions?.jsxImportSource
  if (typeof jsxImportSource === 'string') config.jsxImportSource = jsxImportSource
  return config
}

/** The `.sql` files directly in `dir`, by file name, as wrangler lists and applies them; `name` is the file's. */
function migrationsIn(files: ProjectFiles, dir: string): D1Migration[] {
  const prefix = dir === '' || dir === '.' ? '' : `${dir}/`
  return [...files.keys()]
    .filter((path) => path.startsWith(prefix) && path.endsWith('.sql') && !path.slice(prefix.length).includes('/'))
    .sort()
    .map((path) => ({ name: path.slice(prefix.length), sql: text(files, path) ?? '' }))
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
  return exportTarget(dotExport(pkg.exports)) ?? pkg.module ?? pkg.main
}

/**
 * What "exports" says for the package itself ("."): the whole value when it is a path, a list or
 * an object of conditions (`{ "import": "./a.mjs" }`, no key starting with "."), else its "." key.
 */
function dotExport(exports: Exports | undefined): Exports | undefined {
  if (!isPlainObject(exports)) return exports
  return Object.keys(exports).some((key) => key.startsWith('.')) ? exports['.'] : exports
}

/** A path for a target: a list's first that gives one, conditions by import, default, module (nested too). */
function exportTarget(target: Exports | undefined): string | undefined {
  if (typeof target === 'string') return target
  if (Array.isArray(target)) {
    for (const fallback of target) {
      const path = exportTarget(fallback)
      if (path !== undefined) return path
    }
    return undefined
  }
  if (!isPlainObject(target)) return undefined
  for (const condition of ['import', 'default', 'module']) {
    const path = exportTarget(target[condition])
    if (path !== undefined) return path
  }
  return undefined
}

export function isUnder(path: string, directory: string): boolean {
  return directory === '' || path.startsWith(`${directory}/`)
}
