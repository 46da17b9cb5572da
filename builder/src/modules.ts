import type { Modules } from '@cloudflare/worker-bundler'
import type { BundleModule, WorkerBundle } from '../../src/core/model'
import { BuildFailed } from './failure'

/**
 * worker-bundler's output (the Worker Loader's module format: a string = ES module, or one of
 * { js, cjs, text, data, json }) as the platform's WorkerBundle; the reverse of
 * src/backends/modules.ts. `data` is kept only for .wasm (base64, as the model says):
 * the platform has no other binary module type.
 */
export function toWorkerBundle(mainModule: string, modules: Modules): WorkerBundle {
  return { mainModule, modules: Object.entries(modules).map(([name, module]) => toBundleModule(name, module)) }
}

function toBundleModule(name: string, module: Modules[string]): BundleModule {
  if (typeof module === 'string') return { name, type: 'esm', content: module }
  if (module.js !== undefined) return { name, type: 'esm', content: module.js }
  if (module.text !== undefined) return { name, type: 'text', content: module.text }
  if (module.json !== undefined) return { name, type: 'json', content: JSON.stringify(module.json) }
  if (module.data !== undefined && name.endsWith('.wasm')) {
    return { name, type: 'wasm', content: toBase64(new Uint8Array(module.data)) }
  }
  throw new BuildFailed('internal', [
    { message: `The bundler produced module ${name} in a form the platform cannot deploy.` },
  ])
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}
