import { PlatformError } from './errors'

/**
 * Kinds of module a user Worker may consist of. `service-worker` is a main script in the
 * `addEventListener("fetch", …)` syntax; wasm content is base64 so bundles stay JSON.
 */
export type ModuleType = 'esm' | 'service-worker' | 'text' | 'json' | 'wasm'

export interface BundleModule {
  name: string
  type: ModuleType
  content: string
}

/** What the platform deploys: the code of one user Worker, independent of the backend. */
export interface WorkerBundle {
  mainModule: string
  modules: BundleModule[]
}

export interface UploadedFile {
  name: string
  /** Text, or for binary files (.wasm) the raw bytes. */
  content: string | Uint8Array
}

/** The module the platform adds to every bundle (see platform/platform-module.ts). */
export const PLATFORM_MODULE = 'platform.js'
export const DEFAULT_MAIN_MODULE = 'worker.js'

const MODULE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/
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
// A script with no import/export and a fetch listener is service-worker syntax.
const SERVICE_WORKER = /\baddEventListener\s*\(\s*["'`]fetch["'`]/
const MODULE_SYNTAX = /^\s*(import|export)\b/m

const encoder = new TextEncoder()

/** Turns a pasted or uploaded script into a one-module bundle, enforcing the size cap. */
export function bundleFromScript(script: string, maxBytes: number): WorkerBundle {
  return bundleFromFiles([{ name: DEFAULT_MAIN_MODULE, content: script }], DEFAULT_MAIN_MODULE, maxBytes)
}

/**
 * Turns uploaded files into a bundle: module types from file extensions, the chosen main module
 * (default: the first JavaScript file), and the size cap over all files together.
 */
export function bundleFromFiles(files: UploadedFile[], main: string | undefined, maxBytes: number): WorkerBundle {
  const modules: BundleModule[] = []
  const seen = new Set<string>()
  for (const file of files) {
    const name = file.name.replace(/^.*[\\/]/, '')
    if (!MODULE_NAME.test(name) || name.includes('..')) {
      throw new PlatformError('invalid_request', `"${name}" is not a usable module name (letters, digits, ".", "_", "-").`)
    }
    if (name === PLATFORM_MODULE) {
      throw new PlatformError('invalid_request', `"${PLATFORM_MODULE}" is provided by the platform; rename your file.`)
    }
    if (seen.has(name)) throw new PlatformError('invalid_request', `Two files are named "${name}".`)
    seen.add(name)
    const type = TYPES_BY_EXTENSION[name.split('.').pop()?.toLowerCase() ?? '']
    if (!type) {
      throw new PlatformError('invalid_request', `"${name}": use .js or .mjs for code, .json, .txt/.html/.md/.csv for text, .wasm for WebAssembly.`)
    }
    const content = type === 'wasm' ? toBase64(file.content) : toText(file.content)
    if (type === 'json') assertJson(name, content)
    modules.push({ name, type, content })
  }

  const mainModule = main?.trim() || modules.find((module) => module.type === 'esm')?.name
  const mainEntry = modules.find((module) => module.name === mainModule)
  if (!mainEntry || mainEntry.type !== 'esm') {
    throw new PlatformError(
      modules.length === 0 ? 'empty_script' : 'invalid_request',
      modules.length === 0 ? 'The script is empty. Paste a Worker or choose a .js file.' : 'Choose a .js or .mjs file as the main module.',
    )
  }
  if (mainEntry.content.trim() === '') {
    throw new PlatformError('empty_script', 'The script is empty. Paste a Worker or choose a .js file.')
  }
  if (SERVICE_WORKER.test(mainEntry.content) && !MODULE_SYNTAX.test(mainEntry.content)) mainEntry.type = 'service-worker'

  const bundle = { mainModule: mainEntry.name, modules }
  const size = bundleSize(bundle)
  if (size > maxBytes) {
    throw new PlatformError('script_too_large', `The script is ${formatBytes(size)}; the limit is ${formatBytes(maxBytes)}.`)
  }
  return bundle
}

export function bundleSize(bundle: WorkerBundle): number {
  return bundle.modules.reduce(
    (total, module) => total + (module.type === 'wasm' ? Math.floor((module.content.length * 3) / 4) : encoder.encode(module.content).byteLength),
    0,
  )
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`
}

export function fromBase64(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))
}

function toBase64(content: string | Uint8Array): string {
  const bytes = typeof content === 'string' ? encoder.encode(content) : content
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

function assertJson(name: string, content: string): void {
  try {
    JSON.parse(content)
  } catch (error) {
    throw new PlatformError('script_rejected', `"${name}" is not valid JSON: ${(error as Error).message}`)
  }
}

function toText(content: string | Uint8Array): string {
  return typeof content === 'string' ? content : new TextDecoder().decode(content)
}
