// Projects through the builder (issue #11), on a platform server that runs the builder Worker beside
// it (bench/server.mjs with a builder bundle) and installs from the registry double
// (bench/lib/registry.mjs): upload → first response for a TypeScript file and for a project with
// two npm dependencies (cold, and an identical project again: the builder's cache), and static-asset
// GETs against a Worker serving the same bytes from memory. Everything goes through the API, so the
// assets are stored exactly as the platform stores them.
import { uploadOrThrow, waitForBody } from './lib/client.mjs'
import { TWO_DEPENDENCY_BODY, TWO_DEPENDENCY_PROJECT } from './lib/registry.mjs'
import { runLoad } from './lib/procs.mjs'
import { summarize } from './lib/stats.mjs'

/** Upload → first response of the new version, as in bench/deploy.mjs; with the name's token, if it has one. */
async function timeUpload(base, name, body, contentType, expected, token) {
  const started = performance.now()
  const owner = await uploadOrThrow(base, name, body, token, contentType)
  await waitForBody(base, name, expected, 30_000)
  return { ms: performance.now() - started, token: owner }
}

const typescript = (n) =>
  `const n: number = ${n}\nexport default { fetch: (): Response => new Response(\`ts \${n}\`) }\n`

/**
 * `count` TypeScript files (each different, so none is a cache hit), then `projects` times: a new ms
 * version is published (so `^2.1.0` resolves anew and the build is cold) and the two-dependency
 * project uploaded under a new name, then the identical project again by its owner, under the same
 * name, twice (builds are reused per name and credential, and the claim had no credential: the second
 * is the cache hit; checked: no tarball is fetched for it).
 */
export async function measureBuilds(base, registry, { typescriptUploads, projectUploads }) {
  const ts = []
  // One build first, not counted: the builder's isolate starts (and compiles esbuild.wasm) on it.
  await timeUpload(base, 'ts-warm', typescript(-1), 'application/typescript', 'ts -1')
  for (let i = 0; i < typescriptUploads; i++) {
    ts.push((await timeUpload(base, `ts-${i}`, typescript(i), 'application/typescript', `ts ${i}`)).ms)
  }
  const cold = []
  const cached = []
  const project = JSON.stringify({ files: TWO_DEPENDENCY_PROJECT })
  for (let i = 0; i < projectUploads; i++) {
    await registry.publishMs(`2.1.${100 + i}`)
    const before = await registry.requests('ms')
    const first = await timeUpload(base, `deps-${i}`, project, 'application/json', TWO_DEPENDENCY_BODY)
    cold.push(first.ms)
    const afterCold = await registry.requests('ms')
    if (afterCold.tarball === before.tarball) throw new Error('the cold build fetched no ms tarball: not cold')
    // Builds are reused per name and credential: the claim had none, so the owner's first upload with
    // its token builds again (untimed), and the identical one after it is the reuse that is timed.
    await timeUpload(base, `deps-${i}`, project, 'application/json', TWO_DEPENDENCY_BODY, first.token)
    const afterOwner = await registry.requests('ms')
    const again = await timeUpload(base, `deps-${i}`, project, 'application/json', TWO_DEPENDENCY_BODY, first.token)
    cached.push(again.ms)
    if ((await registry.requests('ms')).tarball !== afterOwner.tarball) {
      throw new Error('the identical re-upload fetched a tarball: not served from the build cache')
    }
  }
  return { typescript: summarize(ts), cold: summarize(cold), cached: summarize(cached) }
}

export const ASSET_SIZES = [
  { label: '2 KiB', bytes: 2 * 1024 },
  { label: '100 KiB', bytes: 100 * 1024 },
]
const CONTENT_TYPE = 'text/javascript; charset=utf-8'
/** Printable, deterministic content of `bytes` bytes (a JS comment, so the type is honest). */
const payload = (bytes) => `//${'x'.repeat(bytes - 3)}\n`
const fileOf = ({ bytes }) => `file-${bytes}.js`

/** A static site with one file per size, and per size a Worker returning that file from memory. */
async function deployAssetTargets(base) {
  const files = Object.fromEntries(ASSET_SIZES.map((size) => [`public/${fileOf(size)}`, payload(size.bytes)]))
  await uploadOrThrow(base, 'bench-assets', JSON.stringify({ files }), undefined, 'application/json')
  const targets = []
  for (const size of ASSET_SIZES) {
    const name = `bench-memory-${size.bytes}`
    const script = `const BODY = ${JSON.stringify(payload(size.bytes))}
export default { fetch: () => new Response(BODY, { headers: { 'content-type': ${JSON.stringify(CONTENT_TYPE)} } }) }`
    await uploadOrThrow(base, name, script)
    targets.push({
      size,
      assets: `${base}/user-workers/bench-assets/${fileOf(size)}`,
      memory: `${base}/user-workers/${name}/${fileOf(size)}`,
    })
  }
  return targets
}

async function check(url, expected) {
  const response = await fetch(url)
  const body = await response.text()
  if (response.status !== 200 || body !== expected) throw new Error(`${url}: ${response.status}, ${body.length} bytes`)
  return response.headers
}

/**
 * Asset GETs vs the in-memory Worker, per size: a warm-up run of each, then `rounds` load runs of
 * each, alternating which goes first; the best run of each side is kept (other work on a shared machine only slows a run down).
 */
export async function measureAssets(base, { connections, seconds, warmupSeconds, rounds }, log) {
  const results = []
  for (const target of await deployAssetTargets(base)) {
    const expected = payload(target.size.bytes)
    if (!(await check(target.assets, expected)).get('etag')) throw new Error(`${target.assets}: no ETag, not an asset`)
    await check(target.memory, expected)
    // Warm-up, not counted: isolates start, the manifest is read and small bodies get cached.
    for (const side of ['assets', 'memory']) await runLoad(target[side], connections, warmupSeconds)
    const runs = { assets: [], memory: [] }
    for (let round = 0; round < rounds; round++) {
      log(`asset GETs, ${target.size.label}, round ${round + 1}/${rounds}`)
      for (const side of round % 2 ? ['memory', 'assets'] : ['assets', 'memory']) {
        const run = await runLoad(target[side], connections, seconds)
        if (run.non2xx || run.errors) throw new Error(`${target[side]}: ${run.non2xx} non-2xx, ${run.errors} errors`)
        runs[side].push(run)
      }
    }
    const best = (list) => list.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a))
    results.push({ size: target.size, assets: best(runs.assets), memory: best(runs.memory), runs })
  }
  return results
}
