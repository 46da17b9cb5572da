// Packages the builder tests install, published into the registry double once per test file.
// hono and ms are the real packages from node_modules (their ES module files), packed as tarballs.
import { publish } from './helpers'

const honoFiles = import.meta.glob<string>(['/node_modules/hono/dist/**/*.js', '!/node_modules/hono/dist/cjs/**'], {
  query: '?raw',
  import: 'default',
  eager: true,
})
const honoManifest = import.meta.glob<string>('/node_modules/hono/package.json', {
  query: '?raw',
  import: 'default',
  eager: true,
})
const msFiles = import.meta.glob<string>(['/node_modules/ms/index.js', '/node_modules/ms/package.json'], {
  query: '?raw',
  import: 'default',
  eager: true,
})

const honoAppFiles = import.meta.glob<string>(['/examples/hono-app/**/*', '!/examples/hono-app/README.md'], {
  query: '?raw',
  import: 'default',
  eager: true,
})

/** examples/hono-app as a tenant uploads it (README aside), by path inside the folder. */
export const HONO_APP: Record<string, string> = packed(honoAppFiles, '/examples/hono-app/')

function packed(files: Record<string, string>, root: string): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, content]) => [path.slice(root.length), content]))
}

function manifestOf(text: string | undefined): { version: string } & Record<string, unknown> {
  if (!text) throw new Error('package.json not found')
  return JSON.parse(text) as { version: string } & Record<string, unknown>
}

export const HONO_VERSION = manifestOf(honoManifest['/node_modules/hono/package.json']).version
export const MS_VERSION = manifestOf(msFiles['/node_modules/ms/package.json']).version

export async function publishFixtures(): Promise<void> {
  const hono = manifestOf(honoManifest['/node_modules/hono/package.json'])
  await publish({
    name: 'hono',
    version: hono.version,
    files: packed(honoFiles, '/node_modules/hono/'),
    manifest: { type: hono.type, main: hono.main, module: hono.module, exports: hono.exports },
  })
  const ms = manifestOf(msFiles['/node_modules/ms/package.json'])
  await publish({ name: 'ms', version: ms.version, files: { 'index.js': msFiles['/node_modules/ms/index.js'] ?? '' } })

  // greet depends on shout (^1.0.0: 1.1.0 is the highest match, 2.0.0 is not).
  for (const [version, suffix] of [
    ['1.0.0', '!'],
    ['1.1.0', '!!'],
    ['2.0.0', '!!!'],
  ] as const) {
    await publish({
      name: 'shout',
      version,
      files: { 'index.js': `export const shout = (s) => s.toUpperCase() + '${suffix}'\n` },
      manifest: { type: 'module', main: 'index.js' },
      tag: version === '1.1.0' ? 'latest' : null,
    })
  }
  await publish({
    name: 'greet',
    version: '1.0.0',
    dependencies: { shout: '^1.0.0' },
    files: { 'index.js': "import { shout } from 'shout'\nexport const greet = (name) => shout('hello ' + name)\n" },
    manifest: { type: 'module', main: 'index.js' },
  })
  // exports conditions: the ES module build must win over the CommonJS one; a subpath export too.
  await publish({
    name: '@acme/cond',
    version: '1.0.0',
    files: {
      'esm.js': "export const flavour = 'esm'\n",
      'cjs.js': "exports.flavour = 'cjs'\n",
      'extra.js': "export const extra = 'extra'\n",
    },
    manifest: {
      exports: {
        '.': { require: './cjs.js', import: './esm.js', default: './cjs.js' },
        './extra': './extra.js',
      },
    },
  })
}
