import { createWorker, InMemoryFileSystem } from '@cloudflare/worker-bundler'
// The same module instance worker-bundler bundles with (package.json pins esbuild-wasm to the
// version worker-bundler pins, so npm installs one copy): one compiled wasm, one service.
import { build, type BuildOptions, type BuildResult } from 'esbuild-wasm/lib/browser.js'

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

/** esbuild's own build, once worker-bundler has initialized it. */
export async function esbuild(options: BuildOptions & { write: false }): Promise<BuildResult> {
  await esbuildReady()
  return build(options)
}
