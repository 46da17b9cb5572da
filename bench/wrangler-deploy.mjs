// Issue #23: the Vite + React example (examples/vite-react) deployed by the pinned `wrangler deploy
// --dispatch-namespace` (pointed at the platform with CLOUDFLARE_API_BASE_URL) against the same
// built project through the platform's JSON API (PUT /api/workers/:name with the built Worker and
// dist/client as files). Wall time from the start of the command (or request) until the worker's
// API first answers with the round's greeting. The example is installed once (not timed); each round
// builds it (`npm run build`: tsc, vite build — timed apart, for the end-to-end figure), then deploys
// it both ways under the same account token, each to a name of its own.
import { execFile } from 'node:child_process'
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { ROOT } from './lib/procs.mjs'
import { uploadOrThrow } from './lib/client.mjs'
import { summarize } from './lib/stats.mjs'

const WRANGLER_BIN = join(ROOT, 'node_modules/wrangler/bin/wrangler.js')
const EXAMPLE = join(ROOT, 'examples/vite-react')
/** Where @cloudflare/vite-plugin writes the Worker and the config wrangler deploys (its name, `_` for `-`). */
const BUILT_WORKER = 'dist/vite_react_example'

function run(command, args, dir, env = process.env) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')}: ${stdout}${stderr}`)) : resolve(),
    )
  })
}

/** A copy of the example with its own dependencies installed (from the registry, as a tenant's CI would). */
async function installedExample() {
  const dir = await mkdtemp(join(tmpdir(), 'wfp-bench-vite-'))
  await cp(EXAMPLE, dir, { recursive: true, filter: (source) => !/[\\/](node_modules|dist|\.wrangler)$/.test(source) })
  await run('npm', ['install', '--no-audit', '--no-fund'], dir)
  return dir
}

/** The built config wrangler deploys, with the round's name and greeting (as editing wrangler.jsonc and building would). */
async function retarget(dir, name, greeting) {
  const path = join(dir, BUILT_WORKER, 'wrangler.json')
  const config = JSON.parse(await readFile(path, 'utf8'))
  await writeFile(path, JSON.stringify({ ...config, name, vars: { ...config.vars, GREETING: greeting } }))
}

/** The same build as files for PUT /api/workers/:name: the Worker module, dist/client, and a config naming them. */
async function builtFiles(dir, greeting) {
  const files = { 'index.js': await readFile(join(dir, BUILT_WORKER, 'index.js'), 'utf8') }
  const client = join(dir, 'dist/client')
  for (const entry of await readdir(client, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue
    const path = join(entry.parentPath, entry.name)
    files[`client/${relative(client, path)}`] = await readFile(path, 'utf8')
  }
  files['wrangler.jsonc'] = JSON.stringify({
    main: 'index.js',
    compatibility_date: '2026-11-01',
    vars: { GREETING: greeting },
    assets: { directory: './client', not_found_handling: 'single-page-application', run_worker_first: ['/api/*'] },
  })
  return files
}

/** Waits until the worker's API answers with `greeting`. */
async function waitForGreeting(base, name, greeting, timeoutMs = 30_000) {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    const response = await fetch(`${base}/user-workers/${name}/api/greeting`)
    const body = response.ok ? await response.json().catch(() => null) : await response.text()
    if (body?.message === greeting) return
  }
  throw new Error(`/user-workers/${name}/api/greeting did not answer "${greeting}" within ${timeoutMs} ms`)
}

export async function measureWranglerDeploys(base, { rounds }) {
  const account = await fetch(`${base}/api/accounts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'bench' }),
  })
  const token = (await account.json()).token.value
  const env = {
    PATH: process.env.PATH,
    CLOUDFLARE_API_BASE_URL: `${base}/client/v4`,
    CLOUDFLARE_API_TOKEN: token,
    CLOUDFLARE_ACCOUNT_ID: 'bench',
    WRANGLER_SEND_METRICS: 'false',
    CI: 'true',
  }
  const dir = await installedExample()
  const build = []
  const wrangler = []
  const api = []
  try {
    for (let round = 0; round < rounds; round++) {
      const greeting = `round ${round}`
      let started = performance.now()
      await run('npm', ['run', 'build'], dir)
      build.push(performance.now() - started)

      const viaWrangler = `wr-vite-${round}`
      await retarget(dir, viaWrangler, greeting)
      started = performance.now()
      await run(process.execPath, [WRANGLER_BIN, 'deploy', '--dispatch-namespace', 'ns'], dir, { ...env, HOME: dir })
      await waitForGreeting(base, viaWrangler, greeting)
      wrangler.push(performance.now() - started)

      const viaApi = `api-vite-${round}`
      const files = await builtFiles(dir, greeting)
      started = performance.now()
      await uploadOrThrow(base, viaApi, JSON.stringify({ files }), token, 'application/json')
      await waitForGreeting(base, viaApi, greeting)
      api.push(performance.now() - started)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  return { build: summarize(build), wrangler: summarize(wrangler), api: summarize(api) }
}
