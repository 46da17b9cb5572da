// Build times of the builder Worker, under `wrangler dev` on 127.0.0.1 (no internet needed):
//   node bench/build.mjs [runs=7]
// Starts the npm registry double (test/doubles/npm-registry.js, served by Node) on a free port,
// publishes hono and ms from node_modules into it, starts `wrangler dev` with the bench driver +
// builder, then prints p50/min/max of: a single TS file; a 2-dependency project with a cold cache
// (a fresh version published before every run, so the range resolves anew); the same project again
// (a cache hit). Bounded: every request has a timeout and wrangler is stopped at the end.
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { TWO_DEPENDENCY_PROJECT, startRegistry } from './lib/registry.mjs'

const runs = Number(process.argv[2] ?? 7)
const root = new URL('..', import.meta.url).pathname

async function freePort() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

const registry = await startRegistry()
const origin = registry.origin

const port = await freePort()
const wrangler = spawn(
  process.execPath,
  [
    join(root, 'node_modules/wrangler/bin/wrangler.js'),

    'dev',
    '-c',
    'bench/build/wrangler.jsonc',
    '-c',
    'builder/wrangler.jsonc',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
  ],
  { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
)
let log = ''
wrangler.stdout.on('data', (chunk) => (log += chunk))
wrangler.stderr.on('data', (chunk) => (log += chunk))

async function build(files) {
  const response = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    body: JSON.stringify({
      source: { files },
      registry: origin,
      limits: {
        maxTotalBytes: 5e6,
        maxFiles: 500,
        maxFileBytes: 1e6,
        maxDependencies: 50,
        maxBuildMs: 60_000,
        maxPackageBytes: 32 * 1024 * 1024,
        maxInstallBytes: 64 * 1024 * 1024,
        maxPackumentBytes: 64 * 1024 * 1024,
      },
      // Builds are reused within one scope only (one tenant's): this driver is one tenant.
      cacheScope: 'bench',
    }),
    signal: AbortSignal.timeout(90_000),
  })
  const result = await response.json()
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  return result
}

try {
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      await build({ 'worker.ts': 'export default { fetch: () => new Response("warm") }' })
      break
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`wrangler dev did not come up:\n${log}`, { cause: error })
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }

  const results = { 'TS single file': [], '2 dependencies, cold': [], '2 dependencies, cache hit': [] }
  for (let i = 0; i < runs; i++) {
    const single = `const n: number = ${i}\nexport default { fetch: () => new Response(String(n)) }\n`
    results['TS single file'].push((await build({ 'worker.ts': single })).ms)
    // A new ms version each run: the range resolves to it, so the build cannot come from the cache.
    await registry.publishMs(`2.1.${100 + i}`)
    const project = TWO_DEPENDENCY_PROJECT
    const cold = await build(project)
    if (cold.cached) throw new Error('expected a cold build')
    results['2 dependencies, cold'].push(cold.ms)
    const hit = await build(project)
    if (!hit.cached) throw new Error('expected a cache hit')
    results['2 dependencies, cache hit'].push(hit.ms)
  }
  const p50 = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  console.log(`builder build times over ${runs} runs (ms, measured in the driver Worker around the RPC call):`)
  for (const [name, values] of Object.entries(results)) {
    console.log(`  ${name.padEnd(28)} p50 ${p50(values)}  min ${Math.min(...values)}  max ${Math.max(...values)}`)
  }
} finally {
  wrangler.kill('SIGTERM')
  await registry.close()
}
