import { fromBase64, toBase64 } from '../lib/encoding'
import type { BundleModule } from '../core/model'

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

/** One module as a part of a Cloudflare API upload. */
export interface ApiPart {
  content: string | Uint8Array
  /** One of the content types the script upload accepts (application/json is not one). */
  type: 'application/javascript+module' | 'application/javascript' | 'text/plain' | 'application/wasm'
}

/**
 * A bundle module as the Cloudflare API takes it. JSON has no content type of its own there, so a
 * JSON module goes up as an ES module that exports the parsed value, under its own name: the
 * user's `import data from "./data.json"` resolves to it unchanged (as wrangler's bundling does).
 */
export function toApiPart(module: BundleModule): ApiPart {
  switch (module.type) {
    case 'esm':
      return { content: module.content, type: 'application/javascript+module' }
    case 'service-worker':
      return { content: module.content, type: 'application/javascript' }
    case 'text':
      return { content: module.content, type: 'text/plain' }
    case 'json':
      return {
        content: `export default JSON.parse(${JSON.stringify(module.content)});\n`,
        type: 'application/javascript+module',
      }
    case 'wasm':
      return { content: fromBase64(module.content), type: 'application/wasm' }
  }
}

const JSON_AS_MODULE = /^export default JSON\.parse\(("(?:[^"\\]|\\.)*")\);\n?$/

/** A part of a script as the Cloudflare API returns it, back as the bundle module it was uploaded from. */
export function fromApiPart(name: string, type: string, content: Uint8Array): BundleModule {
  const text = () => new TextDecoder().decode(content)
  if (/^application\/wasm\b/i.test(type)) return { name, type: 'wasm', content: toBase64(content) }
  if (/^text\/plain\b/i.test(type)) return { name, type: 'text', content: text() }
  if (/^(application|text)\/javascript\+module\b/i.test(type)) {
    // A .json module went up as an ES module (see toApiPart): give back the JSON text.
    const json = name.endsWith('.json') ? JSON_AS_MODULE.exec(text()) : null
    return json?.[1]
      ? { name, type: 'json', content: JSON.parse(json[1]) as string }
      : { name, type: 'esm', content: text() }
  }
  return { name, type: 'service-worker', content: text() }
}
