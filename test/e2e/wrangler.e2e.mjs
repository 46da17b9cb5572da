// The pinned wrangler pointed at the platform (CLOUDFLARE_API_BASE_URL=<platform>/client/v4), as a
// tenant runs it from a project folder: `wrangler deploy --dispatch-namespace` deploys, deploys again
// with the data kept, `wrangler secret` sets, lists and deletes, and wrangler stops with the
// platform's own message on a bad token or a binding the platform does not provide (docs/wrangler.md).
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { launchBrowser, startDevServer } from './harness.mjs'
import { uniqueName } from './flows.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WRANGLER_BIN = join(ROOT, 'node_modules/wrangler/bin/wrangler.js')

const WORKER = `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  increment() {
    const n = (this.ctx.storage.kv.get("n") ?? 0) + 1;
    this.ctx.storage.kv.put("n", n);
    return n;
  }
}
export default {
  async fetch(request, env) {
    const n = await env.COUNTER.getByName("x").increment();
    await env.CACHE.put("last", String(n));
    console.log("counted", n);
    return new Response(env.GREETING + " " + n + " " + (await env.CACHE.get("last")));
  },
};
`

/** A project folder: the Worker, and a wrangler.jsonc with a var, a KV namespace and a Durable Object. */
async function project(name, greeting, extra = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'wfp-wrangler-'))
  await mkdir(join(dir, 'src'))
  await writeFile(join(dir, 'src/index.js'), WORKER)
  const config = {
    name,
    main: 'src/index.js',
    compatibility_date: '2026-11-01',
    vars: { GREETING: greeting },
    kv_namespaces: [{ binding: 'CACHE', id: 'cache' }],
    durable_objects: { bindings: [{ name: 'COUNTER', class_name: 'Counter' }] },
    migrations: [{ tag: 'v1', new_sqlite_classes: ['Counter'] }],
    ...extra,
  }
  await writeFile(join(dir, 'wrangler.jsonc'), JSON.stringify(config, null, 2))
  return dir
}

/** `wrangler deploy --dispatch-namespace ns` in `dir`, with the three variables a tenant sets. */
function wranglerDeploy(dir, base, token) {
  return wrangler(['deploy', '--dispatch-namespace', 'ns'], dir, base, token)
}

/** The environment a tenant's wrangler runs with: the three variables, in a home of its own. */
function wranglerEnv(dir, base, token) {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    CLOUDFLARE_API_BASE_URL: `${base}/client/v4`,
    CLOUDFLARE_API_TOKEN: token,
    CLOUDFLARE_ACCOUNT_ID: 'any',
    WRANGLER_SEND_METRICS: 'false',
    CI: 'true',
    NO_COLOR: '1',
  }
}

/** A wrangler command in `dir` against the platform; `stdin` is piped in, as a person types a secret. */
function wrangler(args, dir, base, token, stdin) {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [WRANGLER_BIN, ...args],
      { cwd: dir, env: wranglerEnv(dir, base, token) },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, output: stdout + stderr }),
    )
    child.stdin.end(stdin)
  })
}

/** A command in `dir` (npm for the example's own install and build), with its output. */
function run(command, args, dir) {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: dir, env: process.env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code : 0, output: stdout + stderr }),
    )
  })
}

/** `wrangler tail --format json` in `dir`, running until stopped; its output so far, and how it ended. */
function wranglerTail(dir, base, token) {
  const child = spawn(process.execPath, [WRANGLER_BIN, 'tail', '--format', 'json'], {
    cwd: dir,
    env: wranglerEnv(dir, base, token),
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  return { child, output: () => output, exited }
}

describe('wrangler deploy against the platform', () => {
  let platform
  let token
  const folders = []
  before(async () => {
    platform = await startDevServer()
    const res = await fetch(`${platform.url}/api/accounts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'wrangler e2e' }),
    })
    token = (await res.json()).token.value
  })
  after(async () => {
    await platform?.stop()
    for (const dir of folders) await rm(dir, { recursive: true, force: true })
  })

  test('deploys a project, then deploys it again with its data kept', async () => {
    const name = uniqueName('wr')
    const first = await project(name, 'hello')
    folders.push(first)
    const deployed = await wranglerDeploy(first, platform.url, token)
    assert.equal(deployed.code, 0, deployed.output)
    assert.match(deployed.output, new RegExp(`Uploaded ${name}`))
    const url = `${platform.url}/user-workers/${name}/`
    assert.equal(await (await fetch(url)).text(), 'hello 1 1')
    const second = await project(name, 'again')
    folders.push(second)
    const again = await wranglerDeploy(second, platform.url, token)
    assert.equal(again.code, 0, again.output)
    assert.equal(await (await fetch(url)).text(), 'again 2 2')
  })

  test('deploys a project with static assets, which answer before its Worker', async () => {
    const name = uniqueName('wr')
    const dir = await project(name, 'hello', { assets: { directory: './public', binding: 'ASSETS' } })
    folders.push(dir)
    await mkdir(join(dir, 'public'))
    await writeFile(join(dir, 'public/index.html'), '<!doctype html><h1>from the assets</h1>\n')
    // wrangler sends the rule files in the upload's assets config, not as assets.
    await writeFile(join(dir, 'public/_redirects'), '/old / 301\n')
    const deployed = await wranglerDeploy(dir, platform.url, token)
    assert.equal(deployed.code, 0, deployed.output)
    assert.match(deployed.output, /Uploaded 1 of 1 assets?/)
    const home = await fetch(`${platform.url}/user-workers/${name}/`, { headers: { 'Sec-Fetch-Mode': 'navigate' } })
    assert.equal(await home.text(), '<!doctype html><h1>from the assets</h1>\n')
    assert.match(home.headers.get('content-type'), /^text\/html/)
    assert.equal(await (await fetch(`${platform.url}/user-workers/${name}/counter`)).text(), 'hello 1 1')
    const moved = await fetch(`${platform.url}/user-workers/${name}/old`, { redirect: 'manual' })
    assert.equal(moved.status, 301)
    assert.equal(moved.headers.get('location'), `/user-workers/${name}/`)
  })

  test('wrangler secret put (from stdin), list and delete: each a new deployment of the code served', async () => {
    const name = uniqueName('wr')
    const dir = await project(name, 'hello')
    folders.push(dir)
    assert.equal((await wranglerDeploy(dir, platform.url, token)).code, 0)
    const put = await wrangler(['secret', 'put', 'API_KEY'], dir, platform.url, token, 'not-in-any-output\n')
    assert.equal(put.code, 0, put.output)
    assert.match(put.output, /Success! Uploaded secret API_KEY/)
    const list = await wrangler(['secret', 'list', '--format', 'json'], dir, platform.url, token)
    assert.deepEqual(JSON.parse(list.output.slice(list.output.indexOf('['))), [
      { name: 'API_KEY', type: 'secret_text' },
    ])
    const removed = await wrangler(['secret', 'delete', 'API_KEY'], dir, platform.url, token)
    assert.equal(removed.code, 0, removed.output)
    const worker = await (await fetch(`${platform.url}/api/workers/${name}`)).json()
    assert.deepEqual(
      worker.deployments.map((deployment) => deployment.label),
      ['secret API_KEY deleted', 'secret API_KEY set', 'v1'],
    )
    for (const { output } of [put, list, removed]) assert.doesNotMatch(output, /not-in-any-output/)
  })

  test('wrangler tail --format json shows a request’s console.log, then stops on Ctrl-C', async () => {
    const name = uniqueName('wr')
    const dir = await project(name, 'hello')
    folders.push(dir)
    assert.equal((await wranglerDeploy(dir, platform.url, token)).code, 0)
    const tail = wranglerTail(dir, platform.url, token)
    try {
      // The tail connects in the background: call the worker until its output comes through.
      const deadline = Date.now() + 30_000
      while (!tail.output().includes('"counted"') && Date.now() < deadline) {
        await (await fetch(`${platform.url}/user-workers/${name}/`)).text()
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
      const events = tail
        .output()
        .split(/\n(?=\{)/)
        .filter((chunk) => chunk.startsWith('{'))
        .map((chunk) => JSON.parse(chunk))
      const event = events.find((candidate) => candidate.logs?.[0]?.message?.[0] === 'counted')
      assert.ok(event, tail.output())
      assert.equal(event.outcome, 'ok')
      assert.equal(event.scriptName, name)
      assert.equal(event.event.request.method, 'GET')
      // The URL the worker saw: the platform's /user-workers/<name> mount is not part of it.
      assert.equal(new URL(event.event.request.url).pathname, '/')
    } finally {
      tail.child.kill('SIGINT')
    }
    const { code } = await tail.exited
    assert.equal(code, 0, tail.output())
  })

  test('deploys the Vite + React example: its own npm install and build, then wrangler deploy', async () => {
    // A copy, as a tenant's checkout: its own dependencies from the registry, nothing of this repository's.
    const dir = await mkdtemp(join(tmpdir(), 'wfp-vite-react-'))
    folders.push(dir)
    await cp(join(ROOT, 'examples/vite-react'), dir, {
      recursive: true,
      filter: (source) => !/[\\/](node_modules|dist|\.wrangler)$/.test(source),
    })
    const install = await run('npm', ['install', '--no-audit', '--no-fund'], dir)
    assert.equal(install.code, 0, install.output)
    const build = await run('npm', ['run', 'build'], dir)
    assert.equal(build.code, 0, build.output)
    const deployed = await wranglerDeploy(dir, platform.url, token)
    assert.equal(deployed.code, 0, deployed.output)
    assert.match(deployed.output, /Uploaded vite-react-example/)

    const base = `${platform.url}/user-workers/vite-react-example/`
    const api = await fetch(`${base}api/greeting`)
    assert.equal((await api.json()).message, 'Hello from the Worker')
    // Any other path is the app (single-page-application), for the browser's router.
    const route = await fetch(`${base}some/route`, { headers: { 'Sec-Fetch-Mode': 'navigate' } })
    assert.match(await route.text(), /<div id="root">/)

    // In a browser, at its own origin (a module script does not load in the shared origin's sandbox).
    const site = new URL(platform.url)
    site.hostname = 'vite-react-example.localhost'
    const browser = await launchBrowser()
    try {
      const page = await browser.newPage()
      await page.goto(`${site.origin}/some/route`)
      await page.getByRole('button', { name: 'Ask the Worker' }).click()
      await page.locator('#greeting').getByText('Hello from the Worker').waitFor()
    } finally {
      await browser.close()
    }
  })

  test('provisions a KV namespace and a D1 database declared without an id, then keeps them', async () => {
    const name = uniqueName('wr')
    const dir = await mkdtemp(join(tmpdir(), 'wfp-wrangler-'))
    folders.push(dir)
    await mkdir(join(dir, 'src'))
    await writeFile(
      join(dir, 'src/index.js'),
      `export default {
  async fetch(request, env) {
    const n = Number((await env.CACHE.get("n")) ?? 0) + 1;
    await env.CACHE.put("n", String(n));
    const row = await env.DB.prepare("select 40 + ? as answer").bind(2).first();
    return new Response("kv " + n + " db " + row.answer);
  },
};
`,
    )
    await writeFile(
      join(dir, 'wrangler.jsonc'),
      JSON.stringify({
        name,
        main: 'src/index.js',
        compatibility_date: '2026-11-01',
        kv_namespaces: [{ binding: 'CACHE' }],
        d1_databases: [{ binding: 'DB', database_name: 'app-db' }],
      }),
    )
    const first = await wranglerDeploy(dir, platform.url, token)
    assert.equal(first.code, 0, first.output)
    assert.match(first.output, /CACHE provisioned/)
    assert.equal(await (await fetch(`${platform.url}/user-workers/${name}/`)).text(), 'kv 1 db 42')
    // The next deploy inherits them (the worker's settings list them): the data is kept.
    const second = await wranglerDeploy(dir, platform.url, token)
    assert.equal(second.code, 0, second.output)
    assert.equal(await (await fetch(`${platform.url}/user-workers/${name}/`)).text(), 'kv 2 db 42')
  })

  test('stops with the platform’s message on an unknown token, and on a binding it does not provide', async () => {
    const name = uniqueName('wr')
    const clean = await project(name, 'hello')
    const dir = await project(name, 'hello', {
      services: [{ binding: 'STOLEN', service: 'workers-for-platforms', entrypoint: 'TenantKV' }],
    })
    folders.push(clean, dir)
    const unknown = await wranglerDeploy(clean, platform.url, 'at_nobody_0000000000000000000000000000000000000000000')
    assert.notEqual(unknown.code, 0)
    assert.match(unknown.output, /That token is not valid/)
    const forged = await wranglerDeploy(dir, platform.url, token)
    assert.notEqual(forged.code, 0)
    assert.match(forged.output, /bindings: service binding "STOLEN"/)
    assert.equal((await fetch(`${platform.url}/user-workers/${name}/`)).status, 404)
  })
})
