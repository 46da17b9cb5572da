import { beforeAll, describe, expect, it } from 'vitest'
import { publishFixtures } from './fixtures'
import { buildFails, buildOk, LIMITS, publish, registryRequests, runWorker, uniquePackage } from './helpers'

// Where the builder bundled differently from `wrangler deploy` on real Cloudflare templates (#22):
// imported devDependencies, package subpaths without "exports", inferred packages, build outputs.

beforeAll(publishFixtures)

const say = (expression: string) => `export default { fetch: () => new Response(String(${expression})) }\n`

async function publishModule(name: string, version: string, code: string, dependencies: Record<string, string> = {}) {
  await publish({
    name,
    version,
    dependencies,
    files: { 'index.js': code },
    manifest: { type: 'module', main: 'index.js' },
  })
}

describe('devDependencies', () => {
  it('installs a devDependency the Worker imports, as wrangler bundles it (d1-starter-sessions-api-template)', async () => {
    const utils = uniquePackage('durable-utils')
    const runner = uniquePackage('test-runner')
    const types = uniquePackage('workers-types')
    await publishModule(utils, '1.0.0', "export const retry = () => 'retried'\n")
    const result = await buildOk({
      files: {
        'package.json': JSON.stringify({
          dependencies: { hono: '^4.0.0' },
          devDependencies: { [utils]: '^1.0.0', [runner]: '^1.0.0', [types]: '^1.0.0' },
        }),
        'src/index.ts': `import type { Env } from '${types}'\nimport { retry } from '${utils}'\n${say('retry()')}`,
        // A test file imports the test runner; no entry reaches it, so it is neither read nor installed.
        'test/index.spec.ts': `import { it } from '${runner}'\nit('works', () => {})\n`,
      },
    })
    expect(Object.keys(result.dependencies).sort()).toEqual(['hono', utils].sort())
    expect(await (await runWorker(result, new Request('http://x/'))).text()).toBe('retried')
    for (const unused of [runner, types]) expect(await registryRequests(unused)).toMatchObject({ packument: 0 })
  })

  it('takes an imported devDependency, and what it needs, at the versions package-lock.json pins', async () => {
    const utils = uniquePackage('dev-utils')
    const child = uniquePackage('dev-child')
    await publishModule(child, '1.0.0', "export const word = 'pinned'\n")
    await publishModule(child, '1.1.0', "export const word = 'newest'\n")
    for (const version of ['1.0.0', '1.1.0']) {
      await publishModule(utils, version, `export { word } from '${child}'\n`, { [child]: '^1.0.0' })
    }
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { devDependencies: { [utils]: '^1.0.0' } },
        [`node_modules/${utils}`]: { version: '1.0.0', dev: true },
        [`node_modules/${child}`]: { version: '1.0.0', dev: true },
      },
    }
    const result = await buildOk({
      files: {
        'package.json': JSON.stringify({ devDependencies: { [utils]: '^1.0.0' } }),
        'package-lock.json': JSON.stringify(lock),
        'src/index.ts': `import { word } from '${utils}'\n${say('word')}`,
      },
    })
    expect(result.dependencies).toEqual({ [utils]: '1.0.0', [child]: '1.0.0' })
    expect(result.warnings).toEqual([])
    expect(await (await runWorker(result, new Request('http://x/'))).text()).toBe('pinned')
  })

  it('counts imported devDependencies against maxDependencies', async () => {
    const utils = uniquePackage('dev-counted')
    await publishModule(utils, '1.0.0', 'export const n = 1\n')
    const failure = await buildFails(
      {
        files: {
          'package.json': JSON.stringify({ dependencies: { ms: '^2.0.0' }, devDependencies: { [utils]: '^1.0.0' } }),
          'src/index.ts': `import ms from 'ms'\nimport { n } from '${utils}'\n${say('ms(n)')}`,
        },
      },
      { limits: { ...LIMITS, maxDependencies: 1 } },
    )
    expect(failure).toMatchObject({ kind: 'limit', limit: 'maxDependencies' })
  })
})

describe('a package subpath without an "exports" map', () => {
  it('is a path inside the package, as esbuild resolves it (react-router-dom/server)', async () => {
    const name = uniquePackage('no-exports')
    await publish({
      name,
      version: '1.0.0',
      files: {
        'index.js': "export const where = 'main'\n",
        'server.js': "export const where = 'server.js'\n",
        'dom/index.js': "export const where = 'dom/index.js'\n",
        'node/package.json': JSON.stringify({ main: '../lib/node.js' }),
        'lib/node.js': "export const where = 'lib/node.js'\n",
      },
      manifest: { type: 'module', main: 'index.js' },
    })
    const result = await buildOk({
      files: {
        'package.json': JSON.stringify({ dependencies: { [name]: '1.0.0' } }),
        'src/index.ts': [
          `import { where as main } from '${name}'`,
          `import { where as server } from '${name}/server'`,
          `import { where as dom } from '${name}/dom'`,
          `import { where as node } from '${name}/node'`,
          say('[main, server, dom, node].join()'),
        ].join('\n'),
      },
    })
    expect(await (await runWorker(result, new Request('http://x/'))).text()).toBe(
      'main,server.js,dom/index.js,lib/node.js',
    )
  })
})

describe('packages inferred without a package.json', () => {
  it('reads require("…") too, and warns that the inferred versions float', async () => {
    const name = uniquePackage('required')
    await publish({ name, version: '2.0.0', files: { 'index.js': "exports.word = 'required'\n" } })
    const result = await buildOk({ files: { 'worker.js': `const { word } = require('${name}')\n${say('word')}` } })
    expect(result.dependencies).toEqual({ [name]: '2.0.0' })
    expect(result.warnings).toEqual([
      `Installed ${name}@2.0.0, inferred from imports: add a package.json to pin versions.`,
    ])
    expect(await (await runWorker(result, new Request('http://x/'))).text()).toBe('required')
  })

  it('installs nothing for a Node built-in or for a file no entry imports', async () => {
    const stray = uniquePackage('stray')
    const result = await buildOk({
      files: {
        'wrangler.json': JSON.stringify({ main: 'src/index.ts', compatibility_flags: ['nodejs_compat'] }),
        'src/index.ts': `import { Buffer } from 'buffer'\nconst path = require('path')\n${say("Buffer.from('ok') + path.sep")}`,
        'scripts/seed.ts': `import '${stray}'\n`,
      },
    })
    expect(result.dependencies).toEqual({})
    expect(result.warnings).toEqual([])
    expect(await registryRequests(stray)).toMatchObject({ packument: 0 })
  })
})

describe('a build output that is not in the upload', () => {
  const hint = 'run `npm run build` first, or upload the built output.'

  it('says to build first when an import points into build/ (to-do-list-kv-template)', async () => {
    const failure = await buildFails({
      files: { 'server.ts': `import * as build from './build/server'\n${say('Object.keys(build)')}` },
    })
    expect(failure).toEqual({
      ok: false,
      kind: 'user',
      errors: [
        {
          message: `server.ts: Cannot resolve import "./build/server": no such file in the upload: ${hint}`,
          file: 'server.ts',
        },
      ],
    })
  })

  it('says so for a missing entry in dist/, or in the folder scripts.build writes', async () => {
    const dist = await buildFails({ files: { 'wrangler.json': '{"main":"./dist/index.js"}', 'src/app.ts': say('1') } })
    expect(dist.errors).toEqual([
      { message: `The entry module dist/index.js is not in the project: ${hint}`, file: 'dist/index.js' },
    ])
    const scripted = await buildFails({
      files: {
        'package.json': JSON.stringify({
          main: 'worker-out/index.js',
          scripts: { build: 'esbuild src/index.ts --bundle --outdir=worker-out' },
        }),
        'src/index.ts': say('1'),
      },
    })
    expect(scripted.errors[0]?.message).toBe(`The entry module worker-out/index.js is not in the project: ${hint}`)
    // Anything else missing is only missing.
    const other = await buildFails({ files: { 'src/index.ts': `import { x } from './nope'\n${say('x')}` } })
    expect(other.errors[0]?.message).not.toContain('npm run build')
  })

  it('warns when the assets directory is a build output missing from the upload (vite-react-template)', async () => {
    const result = await buildOk({
      files: {
        'wrangler.json': JSON.stringify({
          main: './src/worker/index.ts',
          assets: { directory: './dist/client', not_found_handling: 'single-page-application' },
        }),
        'src/worker/index.ts': say("'api'"),
      },
    })
    expect(result.warnings).toEqual([
      `The assets directory dist/client/ is not in the upload, so no static files are served: ${hint}`,
    ])
    const named = await buildOk({
      files: { 'wrangler.json': '{"main":"src/index.ts","assets":{"directory":"static"}}', 'src/index.ts': say('1') },
    })
    expect(named.warnings).toEqual([
      'The assets directory static/ is not in the upload, so no static files are served.',
    ])
  })
})
