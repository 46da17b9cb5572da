import { parse as lexModule } from 'es-module-lexer/js'
import { encodeText, toBase64 } from '../lib/encoding'
import { errorMessage } from '../lib/errors'
import { formatBytes } from '../lib/format'
import { PlatformError } from '../core/errors'
import type { BundleModule, ModuleType, UploadedFile, WorkerBundle } from '../core/model'
import { CONSOLE_GUARD_MODULE, GUARDED_MAIN_MODULE } from '../logs/console-guard'
import { PLATFORM_MODULE } from './platform-module'
import { SCHEDULED_MODULE } from '../cron/scheduled-module'
import { STORAGE_D1_MODULE, STORAGE_KV_MODULE, STORAGE_MAIN_MODULE, withoutStorageShim } from '../storage/shim'
import { CACHE_MODULE } from '../cache/cache-shim'
import { OBJECTS_MODULE } from '../objects/objects-shim'

/** The module name a pasted script gets. */
export const DEFAULT_MAIN_MODULE = 'worker.js'

/** Most files one upload may have (the upload page shows it). */
export const MAX_MODULES = 50

/**
 * The main module of the upload check (backends/upload-check.ts). An upload may not use its name:
 * a main module of that name would replace the probe, and its code would skip the check.
 */
export const UPLOAD_CHECK_MODULE = '__platform_upload_check.js'

/** Module names the platform adds to bundles itself, so uploads may not use them. */
const RESERVED_MODULES = new Set([
  PLATFORM_MODULE,
  CONSOLE_GUARD_MODULE,
  GUARDED_MAIN_MODULE,
  UPLOAD_CHECK_MODULE,
  SCHEDULED_MODULE,
  STORAGE_MAIN_MODULE,
  STORAGE_D1_MODULE,
  STORAGE_KV_MODULE,
  CACHE_MODULE,
  OBJECTS_MODULE,
])

/** File extensions an upload may use, by the kind of module they become. */
const TYPES_BY_EXTENSION: Record<string, ModuleType> = {
  js: 'esm',
  mjs: 'esm',
  txt: 'text',
  html: 'text',
  md: 'text',
  csv: 'text',
  json: 'json',
  wasm: 'wasm',
}

/** For a file input's `accept` attribute. */
export const ACCEPTED_EXTENSIONS = Object.keys(TYPES_BY_EXTENSION).map((extension) => `.${extension}`)

const MODULE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/
// A script with no import/export and a fetch listener is service-worker syntax.
const SERVICE_WORKER = /\baddEventListener\s*\(\s*["'`]fetch["'`]/
const EMPTY_SCRIPT = 'The script is empty. Paste a Worker or choose a .js file.'

/** Turns a pasted or uploaded script into a one-module bundle, enforcing the size cap. */
export function bundleFromScript(script: string, maxBytes: number): WorkerBundle {
  return bundleFromFiles([{ name: DEFAULT_MAIN_MODULE, content: script }], DEFAULT_MAIN_MODULE, maxBytes)
}

/**
 * Turns uploaded files into a bundle: module types from file extensions, the chosen main module
 * (default: the first JavaScript file), and the size cap over all files together.
 */
export function bundleFromFiles(files: UploadedFile[], main: string | undefined, maxBytes: number): WorkerBundle {
  if (files.length > MAX_MODULES) {
    throw new PlatformError(
      'invalid_request',
      `The upload has ${files.length} files; at most ${MAX_MODULES} are allowed. Bundle your code into fewer files.`,
    )
  }
  // Size first: nothing below (decoding, JSON, the module lexer) runs on more than the cap allows.
  assertWithinSize(
    files.reduce((total, file) => total + byteLength(file.content), 0),
    maxBytes,
  )
  const modules: BundleModule[] = []
  const seen = new Set<string>()
  for (const file of files) {
    const module = toModule(file)
    if (seen.has(module.name)) throw new PlatformError('invalid_request', `Two files are named "${module.name}".`)
    seen.add(module.name)
    modules.push(module)
  }

  const mainModule = main?.trim() || modules.find((module) => module.type === 'esm')?.name
  const mainEntry = modules.find((module) => module.name === mainModule)
  if (modules.length === 0) throw new PlatformError('empty_script', EMPTY_SCRIPT)
  if (!mainEntry || mainEntry.type !== 'esm') {
    throw new PlatformError('invalid_request', 'Choose a .js or .mjs file as the main module.')
  }
  if (mainEntry.content.trim() === '') throw new PlatformError('empty_script', EMPTY_SCRIPT)
  if (SERVICE_WORKER.test(mainEntry.content) && !hasModuleSyntax(mainEntry.content)) {
    // A service-worker script cannot import anything: Cloudflare takes it as one file (wrangler
    // refuses more), so the other files could never be used.
    if (modules.length > 1) {
      throw new PlatformError(
        'invalid_request',
        `"${mainEntry.name}" uses service-worker syntax (addEventListener("fetch", …)), which is one file on its own. ` +
          'Upload it alone, or turn it into an ES module (export default { fetch(request) { … } }) to use several files.',
      )
    }
    mainEntry.type = 'service-worker'
  }

  const bundle = { mainModule: mainEntry.name, modules }
  assertWithinSize(bundleSize(bundle), maxBytes)
  return bundle
}

/** Refuses code over the size cap (MAX_SCRIPT_BYTES), whether uploaded as it is or built from a project. */
export function assertWithinSize(size: number, maxBytes: number, what = 'The script'): void {
  if (size > maxBytes) {
    throw new PlatformError(
      'script_too_large',
      `${what} is ${formatBytes(size)}; the limit is ${formatBytes(maxBytes)}.`,
    )
  }
}

function byteLength(content: string | Uint8Array): number {
  return typeof content === 'string' ? encodeText(content).byteLength : content.byteLength
}

/**
 * Whether a script has import or export statements, by a real lexer: one pass over the text,
 * comments and strings skipped. (A line-anchored regex backtracked over runs of newlines: quadratic.)
 * A script the lexer cannot read stays a module, and the upload check reports the runtime's error.
 */
function hasModuleSyntax(script: string): boolean {
  try {
    return lexModule(script)[3]
  } catch {
    return true
  }
}

/** The bytes a bundle's code takes (wasm counted decoded). */
export function bundleSize(bundle: WorkerBundle): number {
  return bundle.modules.reduce((total, module) => total + moduleSize(module), 0)
}

function moduleSize(module: BundleModule): number {
  if (module.type !== 'wasm') return encodeText(module.content).byteLength
  // Decoded size of the base64: 3 bytes per 4 characters, less one per padding "=".
  const padding = module.content.endsWith('==') ? 2 : module.content.endsWith('=') ? 1 : 0
  return (module.content.length / 4) * 3 - padding
}

function toModule(file: UploadedFile): BundleModule {
  const name = file.name.replace(/^.*[\\/]/, '')
  if (!MODULE_NAME.test(name) || name.includes('..')) {
    throw new PlatformError(
      'invalid_request',
      `"${name}" is not a usable module name (letters, digits, ".", "_", "-").`,
    )
  }
  if (RESERVED_MODULES.has(name)) {
    throw new PlatformError('invalid_request', `"${name}" is reserved for a module of the platform; rename your file.`)
  }
  const type = TYPES_BY_EXTENSION[name.split('.').pop()?.toLowerCase() ?? '']
  if (!type) {
    throw new PlatformError(
      'invalid_request',
      `"${name}": use .js or .mjs for code, .json, .txt/.html/.md/.csv for text, .wasm for WebAssembly.`,
    )
  }
  if (type === 'wasm') {
    return { name, type, content: toBase64(typeof file.content === 'string' ? encodeText(file.content) : file.content) }
  }
  const content = typeof file.content === 'string' ? file.content : new TextDecoder().decode(file.content)
  if (type === 'json') assertJson(name, content)
  return { name, type, content }
}

function assertJson(name: string, content: string): void {
  try {
    JSON.parse(content)
  } catch (error) {
    throw new PlatformError('script_rejected', `"${name}" is not valid JSON: ${errorMessage(error)}`)
  }
}

/** What the upload form can show of a deployed bundle: the code of a one-file worker, or the file names. */
export type CodePrefill = { kind: 'script'; script: string } | { kind: 'files'; mainModule: string; files: string[] }

/**
 * The upload form's starting point for a new version of a deployed bundle. The form's code box holds
 * one file, so a worker of several files is described by its file names (they must be chosen again).
 */
export function prefillOf(bundle: WorkerBundle): CodePrefill {
  const uploaded = bundle.modules.filter((module) => !RESERVED_MODULES.has(module.name))
  const [only] = uploaded
  if (uploaded.length === 1 && only && (only.type === 'esm' || only.type === 'service-worker')) {
    return { kind: 'script', script: only.content }
  }
  return { kind: 'files', mainModule: bundle.mainModule, files: uploaded.map((module) => module.name) }
}

/**
 * A deployed bundle as its owner uploaded it: without the modules the platform added at deploy
 * (platform.js, and the storage shim's), so it can be deployed again.
 */
export function asUploaded(bundle: WorkerBundle): WorkerBundle {
  const uploaded = withoutStorageShim(bundle)
  return { ...uploaded, modules: uploaded.modules.filter((module) => module.name !== PLATFORM_MODULE) }
}
