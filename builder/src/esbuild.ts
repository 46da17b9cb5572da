import { createWorker, InMemoryFileSystem } from '@cloudflare/worker-bundler'
// The same module instance worker-bundler bundles with (package.json pins esbuild-wasm to the
// version worker-bundler pins, so npm installs one copy): one compiled wasm, one service.
import { transform, type Loader } from 'esbuild-wasm/lib/browser.js'

let ready: Promise<unknown> | undefined

/**
 * esbuild-wasm may be initialized once per isolate, and worker-bundler owns that call (it tells
 * "already initialized" apart from "still initializing" only for its own callers). Building an
 * empty module is its public way to run it; concurrent callers share the one promise.
 */
function esbuildReady(): Promise<unknown> {
  ready ??= createWorker({ files: new InMemoryFileSystem({ 'empty.js': '' }), entryPoint: 'empty.js' }).catch(
    (error: unknown) => {
      ready = undefined
      throw error
    },
  )
  return ready
}

const LOADERS: Record<string, Loader> = { ts: 'ts', mts: 'ts', cts: 'ts', tsx: 'tsx', jsx: 'jsx' }

/**
 * A script as plain JavaScript, by esbuild (the parser the bundle uses, linear in the input): types
 * and type-only imports gone, JSX as function calls. undefined for a script esbuild cannot parse;
 * the bundle reports that error, with its line and column.
 */
export async function toJavaScript(path: string, source: string): Promise<string | undefined> {
  await esbuildReady()
  const extension = /\.([a-z]+)$/.exec(path)?.[1] ?? 'js'
  try {
    const result = await transform(source, {
      loader: LOADERS[extension] ?? 'js',
      jsx: 'transform',
      logLevel: 'silent',
    })
    return result.code
  } catch {
    return undefined
  }
}
