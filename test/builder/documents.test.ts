import { describe, expect, it } from 'vitest'
import { BuildFailed } from '../../builder/src/failure'
import { detectEntry, readProjectConfig } from '../../builder/src/project'
import { readPackument } from '../../builder/src/registry'
import { fieldPath } from '../../builder/src/schema'
import { buildFails, buildOk, publish, runWorker, uniquePackage } from './helpers'

// Every document the builder reads from outside — a tenant's package-lock.json, package.json,
// wrangler config and tsconfig.json, the npm registry's metadata — is checked against the shape
// the builder uses: a real one works as before, one off it is an error naming the file and field.

const encoder = new TextEncoder()

function filesOf(files: Record<string, string>): Map<string, Uint8Array> {
  return new Map(Object.entries(files).map(([path, content]) => [path, encoder.encode(content)]))
}

/** The BuildFailed `work` throws (a TypeError or anything else fails the test). */
function failureOf(work: () => unknown): BuildFailed {
  try {
    work()
  } catch (error) {
    if (error instanceof BuildFailed) return error
    throw error
  }
  throw new Error('expected a BuildFailed')
}

function publishVersion(name: string, version: string, dependencies: Record<string, unknown> = {}): Promise<void> {
  return publish({
    name,
    version,
    dependencies,
    files: { 'index.js': `export const version = '${version}'\n` },
    manifest: { type: 'module', main: 'index.js' },
    tag: null,
  })
}

function project(name: string, extra: Record<string, string> = {}) {
  return {
    files: {
      'package.json': JSON.stringify({ dependencies: { [name]: '^1.0.0' } }),
      'src/index.ts': `import { version } from '${name}'\nexport default { fetch: () => new Response(version) }\n`,
      ...extra,
    },
  }
}

describe('field paths', () => {
  it('are written as JavaScript would', () => {
    expect(fieldPath(['packages', 'node_modules/x', 'version'])).toBe('packages["node_modules/x"].version')
    expect(fieldPath(['compatibility_flags', 1])).toBe('compatibility_flags[1]')
    expect(fieldPath(['versions', '1.0.0', 'dist', 'tarball'])).toBe('versions["1.0.0"].dist.tarball')
    expect(fieldPath(['dependencies', '@acme/cond'])).toBe('dependencies["@acme/cond"]')
    expect(fieldPath(['dist-tags', 'latest'])).toBe('dist-tags.latest')
    expect(fieldPath(['dist-tags', 'a-b'])).toBe('dist-tags["a-b"]')
    expect(fieldPath([])).toBe('')
  })
})

describe('package-lock.json', () => {
  it('pins the version of a v1, v2 or v3 lockfile, dev and linked packages left out', async () => {
    const name = uniquePackage('lock-shapes')
    const optionalDev = uniquePackage('optional-dev')
    await publishVersion(name, '1.0.0')
    await publishVersion(name, '1.1.0')
    const v3 = {
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'app', version: '0.0.0', dependencies: { [name]: '^1.0.0' } },
        [`node_modules/${name}`]: {
          version: '1.0.0',
          resolved: `https://registry.example/${name}/-/${name}-1.0.0.tgz`,
          integrity: 'sha512-x',
          license: 'MIT',
        },
        'node_modules/dev-only': { version: '2.0.0', dev: true },
        'node_modules/linked': { resolved: 'packages/linked', link: true },
        [`node_modules/${optionalDev}`]: { version: '3.0.0', devOptional: true, optional: true, peer: true },
      },
    }
    // devOptional is not dev (only "dev": true is): it is pinned, and must exist to build.
    await publishVersion(optionalDev, '3.0.0')
    const v2 = {
      ...v3,
      lockfileVersion: 2,
      // npm 7+ keeps npm 6's section too; with "packages" present it is not read (here, off its shape).
      dependencies: { [name]: { version: 1 } },
    }
    const v1 = {
      lockfileVersion: 1,
      requires: true,
      dependencies: {
        [name]: { version: '1.0.0', resolved: 'x', integrity: 'sha512-x', requires: {} },
        'dev-only': { version: '2.0.0', dev: true, dependencies: { nested: { version: '1.0.0' } } },
      },
    }
    for (const lock of [v3, v2, v1]) {
      const result = await buildOk(project(name, { 'package-lock.json': JSON.stringify(lock) }))
      expect(result.dependencies[name], `v${lock.lockfileVersion}`).toBe('1.0.0')
      expect(result.dependencies['dev-only']).toBeUndefined()
      expect(result.dependencies.linked).toBeUndefined()
      expect(await (await runWorker(result, new Request('http://x/'))).text()).toBe('1.0.0')
    }
  })

  it('names the file and the field of a lockfile off its shape, as the tenant’s error', async () => {
    const name = uniquePackage('lock-bad')
    const key = `node_modules/${name}`
    const cases: [unknown, string][] = [
      [null, 'package-lock.json: the file must hold an object.'],
      [[], 'package-lock.json: the file must hold an object.'],
      [{ packages: [] }, 'package-lock.json: packages must be an object.'],
      [{ packages: { [key]: null } }, `package-lock.json: packages["${key}"] must be an object.`],
      [{ packages: { [key]: { version: 1 } } }, `package-lock.json: packages["${key}"].version must be a string.`],
      [
        { packages: { [key]: { version: '1.0.0', dev: 'no' } } },
        `package-lock.json: packages["${key}"].dev must be true or false.`,
      ],
      [{ dependencies: 'x' }, 'package-lock.json: dependencies must be an object.'],
      [{ dependencies: { [name]: ['1.0.0'] } }, `package-lock.json: dependencies["${name}"] must be an object.`],
      [
        { dependencies: { [name]: { version: 1 } } },
        `package-lock.json: dependencies["${name}"].version must be a string.`,
      ],
    ]
    for (const [lock, message] of cases) {
      const failure = await buildFails(project(name, { 'package-lock.json': JSON.stringify(lock) }))
      expect(failure, message).toEqual({ ok: false, kind: 'user', errors: [{ message, file: 'package-lock.json' }] })
    }
  })
})

describe('package.json', () => {
  const entryOf = (pkg: unknown, extra: Record<string, string> = {}) => {
    const files = filesOf({ 'package.json': JSON.stringify(pkg), ...extra })
    return detectEntry(files, readProjectConfig(files))
  }
  const script = { 'a.js': '', 'b.js': '', 'c.js': '', 'src/index.ts': '' }

  it('takes the entry from exports as a path, subpaths, conditions (nested too) or fallbacks, then module, then main', () => {
    const cases: [unknown, string | undefined][] = [
      [{ exports: './a.js', module: './b.js', main: './c.js' }, 'a.js'],
      [{ exports: { '.': './a.js', './package.json': './package.json' } }, 'a.js'],
      [{ exports: { '.': { types: './a.d.ts', import: './a.js', require: './c.js' } } }, 'a.js'],
      [{ exports: { '.': { require: './c.js', default: './b.js' } } }, 'b.js'],
      [{ exports: { '.': { import: { types: './a.d.mts', default: './a.js' } } } }, 'a.js'],
      // Conditions with no "." key are the package's own.
      [{ exports: { import: './a.js', require: './c.js' } }, 'a.js'],
      [{ exports: ['./b.js'] }, 'b.js'],
      [{ exports: { '.': null }, module: './b.js' }, 'b.js'],
      [{ exports: { './sub': './a.js' }, main: './c.js' }, 'c.js'],
      [{ exports: { '.': { require: './a.js' } }, main: './c.js' }, 'c.js'],
      [{ module: './b.js', main: './c.js' }, 'b.js'],
      [{ main: 'c.js', name: 'app', scripts: { build: 'x' }, devDependencies: { x: '1' } }, 'c.js'],
      [{}, 'src/index.ts'],
    ]
    for (const [pkg, entry] of cases) expect(entryOf(pkg, script), JSON.stringify(pkg)).toBe(entry)
  })

  it('names the file and the field of a package.json off its shape', async () => {
    const cases: [unknown, string][] = [
      [[], 'package.json: the file must hold an object.'],
      [{ main: 5 }, 'package.json: main must be a string.'],
      [{ module: ['./a.js'] }, 'package.json: module must be a string.'],
      [{ exports: 5 }, 'package.json: exports must be a path, null, a list or an object of subpaths or conditions.'],
      [
        { exports: { '.': { import: { default: true } } } },
        'package.json: exports["."].import.default must be a path, null, a list or an object of subpaths or conditions.',
      ],
      [{ dependencies: ['hono'] }, 'package.json: dependencies must map package names to version ranges.'],
      [
        { dependencies: { '@acme/cond': 1 } },
        'package.json: dependencies["@acme/cond"] must be a version range (a string).',
      ],
    ]
    for (const [pkg, message] of cases) {
      expect(failureOf(() => entryOf(pkg, script)).errors, message).toEqual([{ message, file: 'package.json' }])
    }
    // Through a whole build: the tenant's error, not "The builder failed: TypeError".
    const failure = await buildFails({
      files: { 'package.json': '{"dependencies":{"greet":null}}', 'src/index.ts': 'export default {}' },
    })
    expect(failure).toEqual({
      ok: false,
      kind: 'user',
      errors: [
        { message: 'package.json: dependencies.greet must be a version range (a string).', file: 'package.json' },
      ],
    })
  })
})

describe('wrangler config', () => {
  // What this file checks; the declared env has its own tests (wrangler-env.test.ts).
  const configOf = (files: Record<string, string>) =>
    Object.fromEntries(Object.entries(readProjectConfig(filesOf(files))).filter(([key]) => key !== 'declared'))

  it('reads assets as wrangler writes them in json, jsonc and toml', () => {
    expect(configOf({ 'wrangler.json': '{"assets":{"directory":"./dist/","binding":"ASSETS"}}' })).toMatchObject({
      assetsDirectory: 'dist',
      assetConfig: {},
    })
    expect(
      configOf({
        'wrangler.jsonc':
          '{\n  // the SPA\n  "assets": { "not_found_handling": "single-page-application", "run_worker_first": true, },\n}',
      }),
    ).toEqual({
      assetsDirectory: 'public',
      assetConfig: { not_found_handling: 'single-page-application', run_worker_first: true },
    })
    expect(
      configOf({
        'wrangler.toml':
          'name = "x"\nmain = "src/app.ts"\ncompatibility_date = "2026-10-01"\n[assets]\ndirectory = "static"\nhtml_handling = "drop-trailing-slash"\nrun_worker_first = ["/api/*", "!/api/docs"]\n[vars]\nA = 1\n',
      }),
    ).toEqual({
      main: 'src/app.ts',
      compatibilityDate: '2026-10-01',
      assetsDirectory: 'static',
      assetConfig: { html_handling: 'drop-trailing-slash', run_worker_first: ['/api/*', '!/api/docs'] },
    })
    expect(configOf({ 'wrangler.json': '{"name":"x","vars":{"A":"1"}}' })).toEqual({ assetsDirectory: 'public' })
  })

  it('names the file and the field of a wrangler config off its shape', () => {
    const cases: [Record<string, string>, string][] = [
      [{ 'wrangler.json': '[]' }, 'wrangler.json: the file must hold an object.'],
      [{ 'wrangler.json': '{"main":5}' }, 'wrangler.json: main must be a string.'],
      [{ 'wrangler.toml': 'compatibility_date = 2026-10-01' }, 'wrangler.toml: compatibility_date must be a string.'],
      [
        { 'wrangler.json': '{"compatibility_date":"soon"}' },
        'wrangler.json: compatibility_date must look like 2026-11-01.',
      ],
      [
        { 'wrangler.json': '{"compatibility_flags":"nodejs_compat"}' },
        'wrangler.json: compatibility_flags must be a list of strings.',
      ],
      [
        { 'wrangler.jsonc': '{"compatibility_flags":["a", 1]}' },
        'wrangler.jsonc: compatibility_flags[1] must be a string.',
      ],
      [{ 'wrangler.json': '{"assets":null}' }, 'wrangler.json: assets must be an object.'],
      [{ 'wrangler.json': '{"assets":["public"]}' }, 'wrangler.json: assets must be an object.'],
      [{ 'wrangler.json': '{"assets":{"directory":7}}' }, 'wrangler.json: assets.directory must be a string.'],
      [
        { 'wrangler.json': '{"assets":{"html_handling":"auto"}}' },
        'wrangler.json: assets.html_handling must be one of: auto-trailing-slash, force-trailing-slash, drop-trailing-slash, none.',
      ],
      [
        { 'wrangler.json': '{"assets":{"run_worker_first":"yes"}}' },
        'wrangler.json: assets.run_worker_first must be true, false or a list of paths.',
      ],
      [
        { 'wrangler.json': '{"assets":{"run_worker_first":["/api/*", 3]}}' },
        'wrangler.json: assets.run_worker_first[1] must be a path (a string).',
      ],
    ]
    for (const [files, message] of cases) {
      const file = Object.keys(files)[0]
      expect(failureOf(() => configOf(files)).errors, message).toEqual([{ message, file }])
    }
  })
})

describe('tsconfig.json', () => {
  it('reads compilerOptions.jsxImportSource, and names the field off its shape', () => {
    const configOf = (tsconfig: string) => readProjectConfig(filesOf({ 'tsconfig.json': tsconfig }))
    expect(configOf('{ "compilerOptions": { "jsxImportSource": "hono/jsx", "strict": true }, }').jsxImportSource).toBe(
      'hono/jsx',
    )
    expect(configOf('{ "compilerOptions": { "jsxImportSource": null } }').jsxImportSource).toBeUndefined()
    expect(configOf('{ "extends": "./base.json" }').jsxImportSource).toBeUndefined()
    expect(failureOf(() => configOf('{ "compilerOptions": { "jsxImportSource": 1 } }')).message).toBe(
      'tsconfig.json: compilerOptions.jsxImportSource must be a string.',
    )
    expect(failureOf(() => configOf('{ "compilerOptions": [] }')).message).toBe(
      'tsconfig.json: compilerOptions must be an object.',
    )
  })
})

describe('the npm registry’s metadata', () => {
  it('keeps dist-tags, and per version its dependencies and tarball', () => {
    const packument = readPackument('x', {
      name: 'x',
      modified: '2026-01-01',
      'dist-tags': { latest: '1.0.0', next: '2.0.0-rc.1' },
      versions: {
        '1.0.0': { name: 'x', dependencies: { y: '^1.0.0' }, dist: { tarball: 'https://r/x-1.0.0.tgz', shasum: 'a' } },
        '2.0.0-rc.1': { name: 'x' },
      },
    })
    expect(packument.distTags).toEqual({ latest: '1.0.0', next: '2.0.0-rc.1' })
    expect(Object.fromEntries(packument.versions)).toEqual({
      '1.0.0': { dependencies: { y: '^1.0.0' }, tarball: 'https://r/x-1.0.0.tgz' },
      '2.0.0-rc.1': { dependencies: {}, tarball: undefined },
    })
    expect(readPackument('x', { name: 'x' })).toEqual({ distTags: {}, versions: new Map() })
  })

  it('is the registry’s fault, not the tenant’s, when off its shape, naming the field', () => {
    const cases: [unknown, string][] = [
      [[], "The npm registry's metadata for x: the answer must be an object."],
      [{ 'dist-tags': { latest: 1 } }, "The npm registry's metadata for x: dist-tags.latest must be a version."],
      [{ versions: [] }, "The npm registry's metadata for x: versions must be an object."],
    ]
    for (const [raw, message] of cases) {
      const failure = failureOf(() => readPackument('x', raw))
      expect(failure.toResult(), message).toEqual({ ok: false, kind: 'internal', errors: [{ message, package: 'x' }] })
    }
    // A version off the shape is said only when it is the one chosen: the others are unaffected.
    const packument = readPackument('x', {
      versions: {
        '0.1.0': { dependencies: { y: 5 } },
        '0.2.0': { dist: { tarball: {} } },
        '0.3.0': 'gone',
        '1.0.0': { dist: { tarball: 'https://r/x.tgz' } },
      },
    })
    expect(Object.fromEntries(packument.versions)).toEqual({
      '0.1.0': {
        malformed: `The npm registry's metadata for x: versions["0.1.0"].dependencies.y must be a version range.`,
      },
      '0.2.0': { malformed: `The npm registry's metadata for x: versions["0.2.0"].dist.tarball must be a URL.` },
      '0.3.0': { malformed: `The npm registry's metadata for x: versions["0.3.0"] must be an object.` },
      '1.0.0': { dependencies: {}, tarball: 'https://r/x.tgz' },
    })
  })

  it('fails a build that installs a version off the shape, and not one that installs another', async () => {
    const name = uniquePackage('bad-meta')
    await publishVersion(name, '1.0.0', { [uniquePackage('dep')]: 5 })
    await publishVersion(name, '1.1.0', { '@x/y': ['1.0.0'] })
    const failure = await buildFails(
      project(name, { 'package.json': JSON.stringify({ dependencies: { [name]: '1.1.0' } }) }),
    )
    expect(failure).toEqual({
      ok: false,
      kind: 'internal',
      errors: [
        {
          message: `The npm registry's metadata for ${name}: versions["1.1.0"].dependencies["@x/y"] must be a version range.`,
          package: name,
        },
      ],
    })
    await publishVersion(name, '1.2.0')
    const result = await buildOk(project(name))
    expect(result.dependencies).toEqual({ [name]: '1.2.0' })
  })
})
