// scripts/deploy-project.mjs (npm run deploy:example), run as a person runs it: where it sends the
// folder (--url, PLATFORM_URL, the default), which token (--token, PLATFORM_TOKEN, DEPLOY_TOKEN),
// one line when no platform answers, and a real deploy and update through `wrangler dev`.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { freePort, startDevServer } from './harness.mjs'
import { uniqueName } from './flows.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SCRIPT = join(ROOT, 'scripts/deploy-project.mjs')

/** Runs the script with `args` and only the environment given (plus PATH); never throws. */
function deployProject(args, env = {}) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }),
    )
  })
}

/** A project folder: a TypeScript Worker, a static file, a dot file and platform.json. */
async function projectFolder(greeting) {
  const folder = await mkdtemp(join(tmpdir(), 'wfp-deploy-project-'))
  const write = async (path, text) => {
    await mkdir(dirname(join(folder, path)), { recursive: true })
    await writeFile(join(folder, path), text)
  }
  await write(
    'src/index.ts',
    `export default { fetch(): Response { return new Response(${JSON.stringify(greeting)}) } }\n`,
  )
  await write('public/hello.txt', 'a static file\n')
  await write('.env', 'SECRET=not sent\n')
  await write('platform.json', '{ "storage": { "kv": true } }\n')
  return folder
}

describe('scripts/deploy-project.mjs', () => {
  let folder
  before(async () => (folder = await projectFolder('from the folder')))
  after(() => rm(folder, { recursive: true, force: true }))

  test('says in one line that no platform answers, instead of a stack', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    const { code, stdout, stderr } = await deployProject([folder, 'nobody-home', '--url', url])
    assert.equal(code, 1)
    assert.equal(stdout, '')
    assert.equal(
      stderr,
      `No platform answers at ${url} (ECONNREFUSED): start it with \`npm run dev\`, or give its URL with --url.\n`,
    )
  })

  test('sends the folder to --url, else PLATFORM_URL, with --token, else PLATFORM_TOKEN, else DEPLOY_TOKEN', async () => {
    const received = []
    const record = async (request, response) => {
      const chunks = []
      for await (const chunk of request) chunks.push(chunk)
      const form = await new Response(Buffer.concat(chunks), { headers: request.headers }).formData()
      received.push({
        port: request.socket.localPort,
        method: request.method,
        path: request.url,
        authorization: request.headers.authorization,
        files: form.getAll('file').map((file) => file.name),
        settings: JSON.parse(form.get('settings')),
      })
      response.writeHead(201, { 'Content-Type': 'application/json' })
      response.end(JSON.stringify({ url: 'http://shared.test/user-workers/x', siteUrl: 'http://x.site.test/' }))
    }
    const listen = () =>
      new Promise((resolve) => {
        const server = createServer(record)
        server.listen(0, '127.0.0.1', () => resolve(server))
      })
    const [flagged, fromEnv] = [await listen(), await listen()]
    const url = (server) => `http://127.0.0.1:${server.address().port}`
    try {
      const env = { PLATFORM_URL: url(fromEnv), PLATFORM_TOKEN: 'platform-token', DEPLOY_TOKEN: 'deploy-token' }
      const first = await deployProject([folder, 'my-app', '--url', url(flagged), '--token', 'flag-token'], env)
      assert.equal(first.code, 0, first.stderr)
      assert.equal(first.stdout.split('\n')[0], '201 http://x.site.test/ (also http://shared.test/user-workers/x)')
      await deployProject([folder, 'my-app'], env)
      await deployProject([folder, 'my-app'], { PLATFORM_URL: url(fromEnv), DEPLOY_TOKEN: 'deploy-token' })
      await deployProject([folder, 'my-app'], { PLATFORM_URL: url(fromEnv) })
      assert.deepEqual(
        received.map(({ port, authorization }) => [port, authorization]),
        [
          [flagged.address().port, 'Bearer flag-token'],
          [fromEnv.address().port, 'Bearer platform-token'],
          [fromEnv.address().port, 'Bearer deploy-token'],
          [fromEnv.address().port, undefined],
        ],
      )
      assert.deepEqual(received[0], {
        ...received[0],
        method: 'PUT',
        path: '/api/workers/my-app',
        files: ['public/hello.txt', 'src/index.ts'],
        settings: { storage: { kv: true } },
      })
    } finally {
      flagged.close()
      fromEnv.close()
    }
  })

  describe('against the platform under wrangler dev', () => {
    let server
    before(async () => (server = await startDevServer()))
    after(() => server?.stop())

    test('deploys a folder, prints its token once, and updates it only with that token', async () => {
      const name = uniqueName('folder')
      const first = await deployProject([folder, name], { PLATFORM_URL: server.url })
      assert.equal(first.code, 0, first.stderr)
      // The worker's own origin first (<name>.localhost, even when the platform is reached at 127.0.0.1).
      const port = new URL(server.url).port
      const printed = `201 http://${name}.localhost:${port}/ (also ${server.url}/user-workers/${name})`
      assert.equal(first.stdout.split('\n')[0], printed)
      const token = /deploy token \(shown once[^)]*\): (\S+)/.exec(first.stdout)?.[1]
      assert.ok(token, first.stdout)
      assert.equal(await (await fetch(`${server.url}/user-workers/${name}/`)).text(), 'from the folder')
      assert.equal(await (await fetch(`${server.url}/user-workers/${name}/hello.txt`)).text(), 'a static file\n')

      const changed = await projectFolder('updated')
      try {
        const refused = await deployProject([changed, name, '--url', server.url])
        assert.equal(refused.code, 1)
        assert.match(refused.stderr, /^403: /)
        const updated = await deployProject([changed, name, '--url', server.url, '--token', token])
        assert.equal(updated.code, 0, updated.stderr)
        assert.match(updated.stdout, /^200 /)
        assert.equal(await (await fetch(`${server.url}/user-workers/${name}/`)).text(), 'updated')
      } finally {
        await rm(changed, { recursive: true, force: true })
      }
    })
  })
})
