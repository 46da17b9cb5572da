import { zipSync } from 'fflate'
import { beforeAll, describe, expect, it } from 'vitest'
import { HONO_APP, HONO_VERSION, MS_VERSION, publishFixtures } from './fixtures'
import { buildFails, buildOk, mainCode, runWorker } from './helpers'

const encoder = new TextEncoder()

beforeAll(publishFixtures)

describe('TypeScript and JSX', () => {
  it('builds a single pasted TypeScript file (no package.json)', async () => {
    const result = await buildOk({
      files: {
        'worker.ts':
          'interface Answer { n: number }\nconst answer: Answer = { n: 41 }\nexport default { fetch(): Response { return new Response(`n=${answer.n + 1}`) } }\n',
      },
    })
    expect(result.worker?.mainModule).toBe('bundle.js')
    expect(result.worker?.modules).toHaveLength(1)
    expect(result.worker?.modules[0]?.type).toBe('esm')
    expect(result.dependencies).toEqual({})
    expect(result.compatibilityDate).toBeUndefined()
    expect(await (await runWorker(result, new Request('http://x/'))).text()).toBe('n=42')
  })

  it('builds a single TSX file with hono/jsx, installing hono from the registry', async () => {
    const result = await buildOk({
      files: {
        'worker.tsx': [
          "import { Hono } from 'hono'",
          'const app = new Hono()',
          "app.get('/', (c) => c.html(<h1 class=\"title\">Hi {c.req.query('name')}</h1>))",
          'export default app',
        ].join('\n'),
      },
    })
    expect(result.dependencies).toEqual({ hono: HONO_VERSION })
    const response = await runWorker(result, new Request('http://x/?name=Ada'))
    expect(await response.text()).toBe('<h1 class="title">Hi Ada</h1>')
  })

  it('reports a syntax error with file, line and column', async () => {
    const failure = await buildFails({
      files: { 'src/index.ts': 'export default {\n  fetch() { return new Response("x") }}\n}\n' },
    })
    expect(failure.kind).toBe('user')
    expect(failure.errors[0]).toMatchObject({ file: 'src/index.ts', line: 3, column: 1 })
    expect(failure.errors[0]?.message).toMatch(/^src\/index\.ts:3:1: Unexpected "}"/)
  })

  it('refuses an import of a file that is not in the project', async () => {
    const failure = await buildFails({
      files: { 'src/index.ts': "import { x } from './missing'\nexport default { fetch: () => new Response(x) }\n" },
    })
    expect(failure.kind).toBe('user')
    expect(failure.errors.map((error) => error.message).join()).toContain('./missing')
  })
})

describe('npm dependencies', () => {
  it('installs dependencies (transitive ones too) and honours exports conditions', async () => {
    const result = await buildOk({
      files: {
        'package.json': JSON.stringify({ dependencies: { greet: '^1.0.0', '@acme/cond': '1.x' } }),
        'src/index.ts': [
          "import { greet } from 'greet'",
          "import { flavour } from '@acme/cond'",
          "import { extra } from '@acme/cond/extra'",
          'export default { fetch: () => new Response(`${greet("ada")} ${flavour} ${extra}`) }',
        ].join('\n'),
      },
    })
    expect(result.dependencies).toEqual({ '@acme/cond': '1.0.0', greet: '1.0.0', shout: '1.1.0' })
    expect(await (await runWorker(result, new Request('http://x/'))).text()).toBe('HELLO ADA!! esm extra')
  })

  it('names a package that is not in the registry', async () => {
    const failure = await buildFails({
      files: {
        'package.json': JSON.stringify({ dependencies: { greet: '^1.0.0', 'no-such-package': '^1.0.0' } }),
        'src/index.ts': "import 'no-such-package'\nexport default { fetch: () => new Response('x') }\n",
      },
    })
    expect(failure.kind).toBe('user')
    expect(failure.errors[0]).toMatchObject({ package: 'no-such-package' })
    expect(failure.errors[0]?.message).toContain('no-such-package')
  })

  it('names a range no published version satisfies', async () => {
    const failure = await buildFails({
      files: {
        'package.json': JSON.stringify({ dependencies: { shout: '^9.0.0' } }),
        'src/index.ts': "export default { fetch: () => new Response('x') }\n",
      },
    })
    expect(failure).toMatchObject({ kind: 'user', errors: [{ package: 'shout' }] })
  })

  it('refuses an import of a package package.json does not list', async () => {
    const failure = await buildFails({
      files: {
        'package.json': JSON.stringify({ dependencies: {} }),
        'src/index.ts': "import { greet } from 'greet'\nexport default { fetch: () => new Response(greet('x')) }\n",
      },
    })
    expect(failure.kind).toBe('user')
    expect(failure.errors[0]?.message).toContain('"greet"')
  })

  it('refuses dependencies that are not registry versions', async () => {
    const failure = await buildFails({
      files: {
        'package.json': JSON.stringify({ dependencies: { greet: 'git+https://example.com/greet.git' } }),
        'src/index.ts': "export default { fetch: () => new Response('x') }\n",
      },
    })
    expect(failure).toMatchObject({ kind: 'user', errors: [{ package: 'greet', file: 'package.json' }] })
  })
})

describe('entry module', () => {
  const worker = (text: string) => `export default { fetch: () => new Response('${text}') }\n`

  it('takes the explicit entry, then package.json main, then src/index.ts', async () => {
    const files = { 'src/index.ts': worker('index'), 'src/other.ts': worker('other'), 'src/main.ts': worker('main') }
    const run = async (result: Awaited<ReturnType<typeof buildOk>>) =>
      (await runWorker(result, new Request('http://x/'))).text()
    expect(await run(await buildOk({ files }, { entry: 'src/other.ts' }))).toBe('other')
    expect(await run(await buildOk({ files: { ...files, 'package.json': '{"main":"./src/main.ts"}' } }))).toBe('main')
    expect(await run(await buildOk({ files }))).toBe('index')
  })

  it('says so when there is no entry and nothing to serve', async () => {
    const failure = await buildFails({ files: { 'src/a.ts': worker('a'), 'src/b.ts': worker('b') } })
    expect(failure.kind).toBe('user')
    expect(failure.errors[0]?.message).toContain('No entry module')
    const missing = await buildFails({ files: { 'src/a.ts': worker('a') } }, { entry: 'src/nope.ts' })
    expect(missing.errors[0]).toMatchObject({ file: 'src/nope.ts' })
  })
})

describe('zip input', () => {
  it('unpacks a zip whose files sit in one top-level folder', async () => {
    const zip = zipSync({
      'my-app/src/index.ts': encoder.encode(worker('zipped')),
      'my-app/public/a.txt': encoder.encode('A'),
    })
    const result = await buildOk({ zip })
    expect(result.assets.map((asset) => asset.path)).toEqual(['/a.txt'])
    expect(await (await runWorker(result, new Request('http://x/'))).text()).toBe('zipped')
  })

  it('refuses an archive that is not a zip', async () => {
    const failure = await buildFails({ zip: encoder.encode('not a zip') })
    expect(failure.kind).toBe('user')
    expect(failure.errors[0]?.message).toContain('zip')
  })

  function worker(text: string): string {
    return `export default { fetch: () => new Response('${text}') }\n`
  }
})

describe('static assets', () => {
  it('builds a static site without a Worker', async () => {
    const logo = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255])
    const result = await buildOk({
      files: { 'public/index.html': '<h1>hi</h1>', 'public/img/logo.png': logo, 'README.md': '# site' },
    })
    expect(result.worker).toBeNull()
    expect(result.dependencies).toEqual({})
    expect(result.assetConfig).toBeUndefined()
    expect(result.assets).toEqual([
      { path: '/img/logo.png', content: logo, contentType: 'image/png', size: 8 },
      {
        path: '/index.html',
        content: encoder.encode('<h1>hi</h1>'),
        contentType: 'text/html; charset=utf-8',
        size: 11,
      },
    ])
  })

  it('builds the example Hono app: Worker, assets, their config, dependencies, compatibility date', async () => {
    const result = await buildOk({ files: HONO_APP })
    expect(result.dependencies).toEqual({ hono: HONO_VERSION, ms: MS_VERSION })
    expect(result.compatibilityDate).toBe('2026-11-01')
    expect(result.assetConfig).toEqual({
      not_found_handling: '404-page',
      run_worker_first: ['/api/*', '/hello/*', '/guestbook'],
    })
    expect(result.assets.map(({ path, contentType }) => [path, contentType])).toEqual([
      ['/404.html', 'text/html; charset=utf-8'],
      ['/app.js', 'application/javascript; charset=utf-8'],
      ['/index.html', 'text/html; charset=utf-8'],
      ['/style.css', 'text/css; charset=utf-8'],
    ])
    const uptime = await runWorker(result, new Request('http://x/api/uptime'))
    expect(await uptime.json()).toMatchObject({ oneDay: '1d' })
    const hello = await (await runWorker(result, new Request('http://x/hello/Ada'))).text()
    expect(hello).toContain('<h1>Hello, Ada!</h1>')
    // Served under the platform's shared origin, the page finds its stylesheet below the mount.
    const mounted = new Request('http://x/hello/Ada', { headers: { 'x-forwarded-prefix': '/user-workers/hono-app' } })
    expect(await (await runWorker(result, mounted)).text()).toContain('href="/user-workers/hono-app/style.css"')
    expect(mainCode(result)).not.toContain('public/')
  })

  it('bundles client entries into the assets', async () => {
    const result = await buildOk(
      {
        files: {
          'src/index.ts': "export default { fetch: () => new Response('server') }\n",
          'src/client.ts': "const n: number = 1\ndocument.title = 'client ' + n\n",
          'public/index.html': '<script src="/client.js"></script>',
        },
      },
      { clientEntries: ['src/client.ts'] },
    )
    const client = result.assets.find((asset) => asset.path === '/client.js')
    expect(new TextDecoder().decode(client?.content)).toContain('document.title = "client " + n')
    expect(client?.contentType).toBe('application/javascript; charset=utf-8')
  })

  it('reads compatibility flags and the assets folder from wrangler.toml', async () => {
    const result = await buildOk({
      files: {
        'wrangler.toml':
          'main = "src/app.ts"\ncompatibility_date = "2026-10-01"\ncompatibility_flags = ["nodejs_compat"]\n[assets]\ndirectory = "static"\nhtml_handling = "none"\n',
        'src/app.ts':
          "import { Buffer } from 'node:buffer'\nexport default { fetch: () => new Response(Buffer.from('aGk=', 'base64').toString()) }\n",
        'static/a.txt': 'a',
        'public/not-an-asset.txt': 'b',
      },
    })
    expect(result).toMatchObject({
      compatibilityDate: '2026-10-01',
      compatibilityFlags: ['nodejs_compat'],
      assetConfig: { html_handling: 'none' },
    })
    expect(result.assets.map((asset) => asset.path)).toEqual(['/a.txt'])
    expect(await (await runWorker(result, new Request('http://x/'))).text()).toBe('hi')
  })

  it('refuses a node: import without nodejs_compat, and a bad assets setting', async () => {
    const nodeImport = await buildFails({
      files: {
        'src/index.ts':
          "import { Buffer } from 'node:buffer'\nexport default { fetch: () => new Response(String(Buffer)) }\n",
      },
    })
    expect(nodeImport.errors[0]?.message).toContain('nodejs_compat')
    const badConfig = await buildFails({
      files: { 'wrangler.json': '{"assets":{"not_found_handling":"teapot"}}', 'public/a.txt': 'a' },
    })
    expect(badConfig).toMatchObject({ kind: 'user' })
    expect(badConfig.errors[0]?.message).toContain('not_found_handling')
  })
})
