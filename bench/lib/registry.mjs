// The npm registry double (test/doubles/npm-registry.js) served by Node on 127.0.0.1, for the
// benches that build projects: no internet needed. Publishes hono and ms from node_modules, the two
// dependencies of the bench's project; `publishMs(version)` publishes another ms, so a `^2.1.0`
// range resolves anew and a build cannot come from the builder's cache.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import registry from '../../test/doubles/npm-registry.js'
import { npmTarball } from '../../test/doubles/tarball.ts'
import { ROOT } from './procs.mjs'

/** A project with two npm dependencies, as the builder and the platform's JSON API take it. */
export const TWO_DEPENDENCY_PROJECT = {
  'package.json': JSON.stringify({ dependencies: { hono: '^4.0.0', ms: '^2.1.0' } }),
  'src/index.ts':
    "import { Hono } from 'hono'\nimport ms from 'ms'\nexport default new Hono().get('*', (c) => c.text(ms(60000)))\n",
}
/** What TWO_DEPENDENCY_PROJECT answers. */
export const TWO_DEPENDENCY_BODY = '1m'

function listFiles(dir, filter) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? listFiles(path, filter) : filter(path) ? [path] : []
  })
}

/** Starts the registry on a free port of 127.0.0.1 with hono and ms published. */
export async function startRegistry() {
  let origin = ''
  const server = createServer(async (req, res) => {
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const request = new Request(`${origin}${req.url}`, {
      method: req.method,
      ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
    })
    const response = await registry.fetch(request, { ORIGIN: origin })
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${server.address().port}`

  async function publish(name, version, files, manifest = {}) {
    const tarball = npmTarball({ 'package.json': JSON.stringify({ name, version, ...manifest }), ...files })
    const response = await fetch(`${origin}/-/publish`, {
      method: 'POST',
      body: JSON.stringify({ name, version, tarball: Buffer.from(tarball).toString('base64') }),
    })
    if (!response.ok) throw new Error(`publishing ${name}@${version} failed: ${response.status}`)
  }

  const hono = JSON.parse(readFileSync(join(ROOT, 'node_modules/hono/package.json'), 'utf8'))
  const honoDir = join(ROOT, 'node_modules/hono/')
  const honoFiles = Object.fromEntries(
    listFiles(join(honoDir, 'dist'), (path) => path.endsWith('.js') && !path.includes('/cjs/')).map((path) => [
      path.slice(honoDir.length),
      readFileSync(path, 'utf8'),
    ]),
  )
  await publish('hono', hono.version, honoFiles, { type: 'module', main: hono.main, exports: hono.exports })
  const msSource = readFileSync(join(ROOT, 'node_modules/ms/index.js'), 'utf8')
  await publish('ms', '2.1.3', { 'index.js': msSource })

  return {
    origin,
    publishMs: (version) => publish('ms', version, { 'index.js': msSource }),
    /** How often the builder fetched a package's packument and tarballs (to tell a cache hit). */
    requests: async (name) => (await fetch(`${origin}/-/requests?name=${encodeURIComponent(name)}`)).json(),
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}
