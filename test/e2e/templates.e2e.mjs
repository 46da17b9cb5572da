// Cloudflare's starter projects, as create-cloudflare (a pinned devDependency) ships them: each run
// under plain `wrangler dev` and deployed to the platform from the same folder (scripts/deploy-project.mjs),
// then the same requests sent to both and their answers compared — status, content type and body.
// Nothing of them is copied into this repository: the folders are made from node_modules.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cp, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { startDevServer } from './harness.mjs'
import { uniqueName } from './flows.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TEMPLATES = join(ROOT, 'node_modules/create-cloudflare/templates')
const NAVIGATE = { 'Sec-Fetch-Mode': 'navigate', Accept: 'text/html' }

/** Each template, and the requests its README (or its page) makes. */
const CASES = [
  { folder: 'hello-world/ts', requests: [{ path: '/' }] },
  {
    folder: 'hello-world-with-assets/ts',
    requests: [{ path: '/', headers: NAVIGATE }, { path: '/message' }, { path: '/nothing' }],
  },
  { folder: 'hello-world-durable-object/ts', requests: [{ path: '/' }, { path: '/' }] },
  {
    folder: 'hello-world-durable-object-with-assets/ts',
    requests: [{ path: '/', headers: NAVIGATE }, { path: '/message' }],
  },
  { folder: 'hono/workers/templates', requests: [{ path: '/message' }, { path: '/', headers: NAVIGATE }] },
  { folder: 'scheduled/ts', requests: [{ path: '/' }] },
  // Its dependencies (chanfana, hono, zod) from the registry: `npm install` for wrangler dev, the
  // builder's own install for the platform.
  {
    folder: 'openapi/ts',
    install: true,
    requests: [{ path: '/' }, { path: '/openapi.json' }, { path: '/api/tasks?page=0' }, { path: '/api/tasks/x' }],
  },
]

/** The template's files as C3 writes them, with node_modules beside them for `wrangler dev` to bundle from. */
async function templateFolder(folder, name, install) {
  const dir = await mkdtemp(join(tmpdir(), 'wfp-template-'))
  const source = join(TEMPLATES, folder)
  // Their own tests run under vitest-pool-workers, not on a deployment.
  const filter = (path) => !/^\/(test|node_modules)(\/|$)/.test(path.slice(source.length))
  await cp(source, dir, { recursive: true, filter })
  for (const entry of await readdir(dir, { recursive: true })) {
    const path = join(dir, entry)
    if (entry.split('/').pop().startsWith('__dot__')) await rename(path, path.replace(/__dot__([^/]*)$/, '.$1'))
  }
  const config = join(dir, 'wrangler.jsonc')
  const text = await readFile(config, 'utf8')
  await writeFile(config, text.replaceAll('<WORKER_NAME>', name).replaceAll('<COMPATIBILITY_DATE>', '2026-11-01'))
  if (install) await npmInstall(dir)
  else await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  return dir
}

/**
 * The template's dependencies, as `npm install` puts them. Its devDependencies are its tooling
 * (wrangler, types), which this test brings itself: they are left out of the copy's package.json
 * before installing, because npm resolves them even with --omit=dev, and the registry's newest
 * wrangler can name a peer version the registry does not have yet (seen: ETARGET for
 * @cloudflare/workers-types). The platform's builder installs only the devDependencies a Worker imports.
 */
async function npmInstall(dir) {
  const manifest = join(dir, 'package.json')
  const { devDependencies: _tooling, ...pkg } = JSON.parse(await readFile(manifest, 'utf8'))
  await writeFile(manifest, JSON.stringify(pkg, null, 2))
  await new Promise((resolve, reject) => {
    execFile(
      'npm',
      ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'],
      { cwd: dir },
      (error, _stdout, stderr) => (error ? reject(new Error(`npm install: ${stderr}`)) : resolve()),
    )
  })
}

/** A GET with a Host header (the platform routes <name>.localhost to the worker, as `npm run dev` does). */
function get(address, host, path, headers = {}) {
  const [hostname, port] = address.split(':')
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers: { Host: host, ...headers } }, (res) => {
      const chunks = []
      res.on('data', (chunk) => chunks.push(chunk))
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          type: (res.headers['content-type'] ?? '').split(';')[0],
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

function deployFolder(dir, name, url) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'scripts/deploy-project.mjs'), dir, name, '--url', url],
      { cwd: ROOT },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }),
    )
  })
}

describe("create-cloudflare's starters: the platform answers as `wrangler dev` does", () => {
  let platform
  before(async () => (platform = await startDevServer()))
  after(() => platform?.stop())

  for (const { folder, requests, install = false } of CASES) {
    test(folder, async () => {
      const name = uniqueName('c3')
      const dir = await templateFolder(folder, name, install)
      const dev = await startDevServer({ cwd: dir, configs: [] })
      try {
        const deployed = await deployFolder(dir, name, platform.url)
        assert.equal(deployed.code, 0, deployed.stderr)
        const { host: platformAddress, port } = new URL(platform.url)
        for (const { path, headers } of requests) {
          // A body may name the origin it was asked on (scheduled's does): each side's reads the same.
          const devOrigin = new URL(dev.url).host
          const expected = await get(devOrigin, devOrigin, path, headers)
          const actual = await get(platformAddress, `${name}.localhost:${port}`, path, headers)
          assert.deepEqual(
            { ...actual, body: actual.body.replaceAll(`${name}.localhost:${port}`, '<origin>') },
            { ...expected, body: expected.body.replaceAll(devOrigin, '<origin>') },
            `${folder} ${path}`,
          )
        }
      } finally {
        await dev.stop()
        await rm(dir, { recursive: true, force: true })
      }
    })
  }
})
