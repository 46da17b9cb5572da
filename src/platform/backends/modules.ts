import { fromBase64 } from '../../lib/encoding'
import type { BundleModule } from '../model'

type LoaderModule = WorkerLoaderWorkerCode['modules'][string]

/** A bundle module as the Worker Loader takes it. */
export function toLoaderModule(module: BundleModule): LoaderModule {
  switch (module.type) {
    case 'esm':
      return { js: module.content }
    case 'service-worker':
      // A plain string main module runs service-worker syntax as is.
      return module.content
    case 'text':
      return { text: module.content }
    case 'json':
      return { json: JSON.parse(module.content) as unknown }
    case 'wasm':
      return { wasm: fromBase64(module.content) }
  }
}

/** The content type of a module's part in a Cloudflare API upload. */
export const API_CONTENT_TYPES: Record<BundleModule['type'], string> = {
  esm: 'application/javascript+module',
  'service-worker': 'application/javascript',
  text: 'text/plain',
  json: 'application/json',
  wasm: 'application/wasm',
}
