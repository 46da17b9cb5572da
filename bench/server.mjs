// Serves one bundled Worker on workerd through Miniflare, as its own process, so that the load
// generator never shares an event loop with it. Used for both sides of the benchmark.
//
//   node bench/server.mjs <wrangler config> <bundle.js> <persist dir> <port>
//
// Bindings come from the wrangler config (the same conversion `wrangler dev` uses); storage lives
// in <persist dir>/v3, the layout of `wrangler dev --persist-to <persist dir>`, so the KV that
// bench/seed.mjs fills is the KV this Worker reads. Prints one JSON line {"url": …} when ready and
// stops when stdin closes (i.e. when the harness exits, however it exits) or on SIGTERM.
import { Miniflare, convertV4MiniflareOptions } from './lib/miniflare.mjs'
import { dirname, join, resolve } from 'node:path'
import { unstable_getMiniflareWorkerOptions } from 'wrangler'

// The bench makes ~150 uploads from one address within a minute; the platform's per-IP upload
// budget would turn most of them into 429s. The limiter is still called on every upload.
const BENCH_RATE_LIMIT = 1_000_000

export function miniflareOptions(configPath, bundlePath, persistDir, port) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(resolve(configPath), '')
  for (const limiter of Object.values(workerOptions.ratelimits ?? {})) {
    if (limiter.simple) limiter.simple.limit = BENCH_RATE_LIMIT
  }
  // The bench deploys ready-made scripts only: no builder Worker runs beside the subject, so its
  // service binding (BUILDER, to another Worker) is left out rather than left dangling.
  delete workerOptions.serviceBindings?.BUILDER
  return convertV4MiniflareOptions({
    ...workerOptions,
    name: 'bench-subject',
    // The bundle lives outside the project (in scratch space): module paths are relative to it.
    modulesRoot: dirname(resolve(bundlePath)),
    modules: [{ type: 'ESModule', path: resolve(bundlePath) }],
    resourcePersistencePath: join(resolve(persistDir), 'v3'),
    host: '127.0.0.1',
    port: Number(port),
  })
}

async function main() {
  const [configPath, bundlePath, persistDir, port] = process.argv.slice(2)
  const mf = new Miniflare(miniflareOptions(configPath, bundlePath, persistDir, port))
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
