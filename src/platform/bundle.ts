import { PlatformError } from './errors'

/** One file of a user Worker. Only ES modules today; the type leaves room for text/JSON/WASM parts. */
export interface BundleModule {
  name: string
  type: 'esm'
  content: string
}

/** What the platform deploys: the code of one user Worker, independent of the backend. */
export interface WorkerBundle {
  mainModule: string
  modules: BundleModule[]
}

export const MAIN_MODULE = 'worker.js'

const encoder = new TextEncoder()

/** Turns an uploaded script into a bundle, enforcing the platform's size cap. */
export function bundleFromScript(script: string, maxBytes: number): WorkerBundle {
  if (script.trim() === '') {
    throw new PlatformError('empty_script', 'The script is empty. Paste a Worker or choose a .js file.')
  }
  const size = encoder.encode(script).byteLength
  if (size > maxBytes) {
    throw new PlatformError(
      'script_too_large',
      `The script is ${formatBytes(size)}; the limit is ${formatBytes(maxBytes)}.`,
    )
  }
  return { mainModule: MAIN_MODULE, modules: [{ name: MAIN_MODULE, type: 'esm', content: script }] }
}

export function bundleSize(bundle: WorkerBundle): number {
  return bundle.modules.reduce((total, module) => total + encoder.encode(module.content).byteLength, 0)
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`
}
