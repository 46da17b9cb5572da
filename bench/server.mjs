// Serves one bundled Worker on workerd through Miniflare, as its own process, so that the load
// generator never shares an event loop with it. Used for both sides of the benchmark.
//
//   node bench/server.mjs <wrangler config> <bundle.js> <persist dir> <port> [options JSON]
//
// Options: {"builder": "<builder bundle.js>", "vars": {…}}. With a builder bundle (bench/run.mjs
// makes it from builder/wrangler.jsonc) the builder Worker runs beside the subject in the same
// workerd and the subject's BUILDER service binding reaches it, as under `npm run dev`; without one
// that binding is left out (workerd refuses a binding to a Worker it does not run). "vars" override
// the subject's vars (e.g. NPM_REGISTRY_URL pointing at the registry double).
//
// Bindings come from the wrangler config (the same conversion `wrangler dev` uses); storage lives
// in <persist dir>/v3, the layout of `wrangler dev --persist-to <persist dir>`, so the KV that
// bench/seed.mjs fills is the KV this Worker reads. Prints one JSON line {"url": …} when ready and
// stops when stdin closes (i.e. when the harness exits, however it exits) or on SIGTERM.
import { Miniflare, convertV4MiniflareOptions } from './lib/miniflare.mjs'
import { readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { unstable_getMiniflareWorkerOptions } from 'wrangler'

// The bench makes ~150 uploads from one address within a minute; the platform's per-IP upload
// budget would turn most of them into 429s. The limiter is still called on every upload.
const BENCH_RATE_LIMIT = 1_000_000
const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))

export function miniflareOptions(configPath, bundlePath, persistDir, port, { builder, vars = {} } = {}) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(resolve(configPath), '')
  for (const limiter of Object.values(workerOptions.ratelimits ?? {})) {
    if (limiter.simple) limiter.simple.limit = BENCH_RATE_LIMIT
  }
  if (!builder) delete workerOptions.serviceBindings?.BUILDER
  const subject = {
    ...workerOptions,
    bindings: { ...workerOptions.bindings, ...vars },
    name: 'bench-subject',
    // The bundle lives outside the project (in scratch space): module paths are relative to it.
    modulesRoot: dirname(resolve(bundlePath)),
    modules: [{ type: 'ESModule', path: resolve(bundlePath) }],
  }
  const shared = { resourcePersistencePath: join(resolve(persistDir), 'v3'), host: '127.0.0.1', port: Number(port) }
  if (!builder) return convertV4MiniflareOptions({ ...subject, ...shared })
  return convertV4MiniflareOptions({
    ...shared,
    workers: [subject, builderOptions(builder, workerOptions.serviceBindings.BUILDER.name)],
  })
}

/** The builder Worker from its own config, named as the subject's BUILDER binding names it. */
function builderOptions(bundlePath, name) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, 'builder', 'wrangler.jsonc'), '')
  const dir = dirname(resolve(bundlePath))
  // The modules are listed below; Miniflare 5 refuses module rules next to an explicit list.
  delete workerOptions.modulesRules
  return {
    ...workerOptions,
    name,
    // The bundle imports its esbuild.wasm, written next to it by `wrangler deploy --dry-run`.
    modulesRoot: dir,
    modules: [
      { type: 'ESModule', path: resolve(bundlePath) },
      ...readdirSync(dir)
        .filter((file) => file.endsWith('.wasm'))
        .map((file) => ({ type: 'CompiledWasm', path: join(dir, file) })),
    ],
  }
}

async function main() {
  const [configPath, bundlePath, persistDir, port, options] = process.argv.slice(2)
  const mf = new Miniflare(miniflareOptions(configPath, bundlePath, persistDir, port, JSON.parse(options ?? '{}')))
  const url = await mf.ready
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await mf.dispose()
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  process.stdin.on('end', stop)
  process.stdin.resume()
  process.stdout.write(`${JSON.stringify({ url: url.href })}\n`)
}

// Run as a script; importing this file (for miniflareOptions) starts nothing.
if (import.meta.main) await main()
