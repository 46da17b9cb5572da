// `node bench/assets.mjs`: static assets on dynamic-workers against a Worker that serves the same
// bytes from memory. Both are dispatched by the same platform server (bench/server.mjs, workerd on
// 127.0.0.1): `/user-workers/bench-assets/<file>` is answered from the deployment's assets (KV
// manifest read once per isolate, small bodies cached in memory, see src/assets/store.ts),
// `/user-workers/bench-memory-<size>/<file>` by a user Worker with the bytes in its source.
// Target (issue #11): assets ≥ 0.9× the in-memory Worker's requests/s. Writes bench/ASSETS.md.
//
// Both workers are seeded into the server's local KV exactly as the platform stores them (see
// bench/seed.mjs): no builder is needed. Keep the shapes in step with src/assets/store.ts.
import { createHash } from 'node:crypto'
import { rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { experimental_readRawConfig } from 'wrangler'
import { versions } from './lib/miniflare.mjs'
import {
  BENCH_DIR,
  ROOT,
  buildBundle,
  killChildren,
  runLoad,
  scratchDir,
  startServer,
  startWatchdog,
} from './lib/procs.mjs'
import { writeMappings } from './seed.mjs'

const ROUNDS = 3
const LOAD = { connections: 16, seconds: 4 }
const SIZES = [
  { label: '2 KiB', bytes: 2 * 1024 },
  { label: '100 KiB', bytes: 100 * 1024 },
]
const CONTENT_TYPE = 'text/javascript; charset=utf-8'
const OWNER = 'o-bench-assets'
const WATCHDOG_MS = 240_000

const log = (message) => console.error(`[bench:assets] ${message}`)

/** Printable, deterministic content of `bytes` bytes (a JS comment, so the type is honest). */
const payload = (bytes) => `//${'x'.repeat(bytes - 3)}\n`
const fileOf = ({ bytes }) => `/file-${bytes}.js`

function registryEntry(name, workerId, build, timestamp) {
  const deployment = {
    workerId,
    sequence: 1,
    createdAt: timestamp,
    size: 0,
    sha256: '0'.repeat(64),
    label: 'v1',
    build,
  }
  const record = {
    name,
    workerId,
    ownerId: OWNER,
    backend: 'dynamic-workers',
    createdAt: timestamp,
    updatedAt: timestamp,
    deployments: [deployment],
    retired: [],
  }
  return { key: `workers/${name}`, value: JSON.stringify(record), metadata: { name, workerId, updatedAt: timestamp } }
}

/** A static site with one file per size, and per size a Worker that returns that file from memory. */
function entries() {
  const timestamp = new Date().toISOString()
  const siteId = 'w-bench-assets'
  const files = {}
  const out = []
  for (const size of SIZES) {
    const content = payload(size.bytes)
    const etag = createHash('sha256').update(`${OWNER}\0`).update(content).digest('hex')
    const key = `asset/${siteId}/${etag}`
    files[fileOf(size)] = { key, contentType: CONTENT_TYPE, size: Buffer.byteLength(content), etag }
    out.push({ key, value: content })

    const memoryId = `w-bench-memory-${size.bytes}`
    const script = `const BODY = ${JSON.stringify(content)};
export default { fetch: () => new Response(BODY, { headers: { "content-type": ${JSON.stringify(CONTENT_TYPE)} } }) };`
    const code = {
      name: `bench-memory-${size.bytes}`,
      mainModule: 'worker.js',
      modules: [{ name: 'worker.js', type: 'esm', content: script }],
    }
    out.push({ key: `code/${memoryId}`, value: JSON.stringify(code) })
    out.push(registryEntry(code.name, memoryId, undefined, timestamp))
  }
  out.push({ key: `assets/${siteId}`, value: JSON.stringify({ hasWorker: false, config: {}, files }) })
  const build = {
    files: [],
    dependencies: {},
    warnings: [],
    assets: { count: SIZES.length, bytes: 0 },
    hasWorker: false,
  }
  out.push(registryEntry('bench-assets', siteId, build, timestamp))
  return out
}

/**
 * The platform's wrangler config without its service bindings (the BUILDER Worker), written to
 * `dir`: the bench serves the dispatch Worker alone, and workerd refuses a binding to a Worker it
 * does not run. Dispatch never calls the builder.
 */
function configWithoutServices(dir) {
  const { rawConfig } = experimental_readRawConfig({ config: join(ROOT, 'wrangler.jsonc') })
  const config = { ...rawConfig, main: resolve(ROOT, rawConfig.main) }
  delete config.services
  for (const env of Object.values(config.env ?? {})) delete env.services
  const path = join(dir, 'wrangler.json')
  writeFileSync(path, JSON.stringify(config))
  return path
}

async function check(url, expected) {
  const response = await fetch(url)
  const body = await response.text()
  if (response.status !== 200 || body !== expected) throw new Error(`${url}: ${response.status}, ${body.length} bytes`)
  return response.headers
}

async function best(url) {
  const runs = []
  for (let round = 0; round < ROUNDS; round++) {
    const run = await runLoad(url, LOAD.connections, LOAD.seconds)
    if (run.non2xx || run.errors) throw new Error(`${url}: ${run.non2xx} non-2xx responses, ${run.errors} errors`)
    runs.push(run)
  }
  // Other work on a shared machine only slows a run down: the best run is the least disturbed.
  return {
    requestsPerSecond: Math.max(...runs.map((run) => run.requestsPerSecond)),
    p50: Math.min(...runs.map((run) => run.p50)),
    all: runs.map((run) => Math.round(run.requestsPerSecond)),
  }
}

async function main() {
  const scratch = scratchDir('wfp-bench-assets-')
  startWatchdog('bench:assets', WATCHDOG_MS)
  let server
  try {
    log('building the platform')
    const bundle = await buildBundle(join(ROOT, 'wrangler.jsonc'), join(scratch, 'build'), ['--env='])
    const persist = join(scratch, 'platform')
    const config = configWithoutServices(scratch)
    await writeMappings(config, persist, () => [entries()])
    server = await startServer(config, bundle, persist)
    const rows = []
    for (const size of SIZES) {
      const content = payload(size.bytes)
      const assetUrl = `${server.url}/user-workers/bench-assets${fileOf(size)}`
      const memoryUrl = `${server.url}/user-workers/bench-memory-${size.bytes}${fileOf(size)}`
      const headers = await check(assetUrl, content)
      if (!headers.get('etag')) throw new Error(`${assetUrl} has no ETag: not served as an asset`)
      await check(memoryUrl, content)
      log(`${size.label}: assets`)
      const assets = await best(assetUrl)
      log(`${size.label}: in-memory Worker`)
      const memory = await best(memoryUrl)
      rows.push({ size, assets, memory })
      log(`${size.label}: ${Math.round(assets.requestsPerSecond)} vs ${Math.round(memory.requestsPerSecond)} req/s`)
    }
    const lines = [
      '# Static assets vs a Worker serving the same bytes from memory',
      '',
      `\`node bench/assets.mjs\`, ${new Date().toISOString().slice(0, 10)}, workerd ${versions.workerd}, ` +
        `${LOAD.connections} connections × ${LOAD.seconds} s, best of ${ROUNDS} (all runs in brackets).`,
      '',
      '| File | Assets req/s | In-memory Worker req/s | Ratio (target ≥ 0.90×) | p50 assets / Worker |',
      '|---|---|---|---|---|',
      ...rows.map(
        ({ size, assets, memory }) =>
          `| ${size.label} | ${Math.round(assets.requestsPerSecond)} (${assets.all.join(', ')}) | ` +
          `${Math.round(memory.requestsPerSecond)} (${memory.all.join(', ')}) | ` +
          `${(assets.requestsPerSecond / memory.requestsPerSecond).toFixed(2)}× | ` +
          `${assets.p50.toFixed(2)} / ${memory.p50.toFixed(2)} ms |`,
      ),
      '',
    ]
    writeFileSync(join(BENCH_DIR, 'ASSETS.md'), lines.join('\n'))
    process.stdout.write(lines.join('\n'))
  } finally {
    await server?.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error)
  killChildren()
  process.exitCode = 1
})
