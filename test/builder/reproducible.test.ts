import { describe, expect, it } from 'vitest'
import { buildFails, buildOk, publish, registryRequests, runWorker, uniquePackage } from './helpers'

/** A package whose module says which version it is. */
function publishVersion(name: string, version: string, tag: string | null = 'latest'): Promise<void> {
  return publish({
    name,
    version,
    files: { 'index.js': `export const version = '${version}'\n` },
    manifest: { type: 'module', main: 'index.js' },
    tag,
  })
}

function project(name: string, range: string, extra: Record<string, string> = {}) {
  return {
    files: {
      'package.json': JSON.stringify({ dependencies: { [name]: range } }),
      'src/index.ts': `import { version } from '${name}'\nexport default { fetch: () => new Response(version) }\n`,
      ...extra,
    },
  }
}

function lockfile(packages: Record<string, string>): string {
  return JSON.stringify({
    lockfileVersion: 3,
    packages: {
      '': { dependencies: {} },
      ...Object.fromEntries(Object.entries(packages).map(([name, version]) => [`node_modules/${name}`, { version }])),
    },
  })
}

/** Builds are reused only within a cache scope (one tenant's). */
const scoped = { cacheScope: `tenant-${crypto.randomUUID()}` }

describe('reproducible builds', () => {
  it('reuses an identical build, and rebuilds when a new version is published for the range', async () => {
    const name = uniquePackage('cached')
    await publishVersion(name, '1.0.0')
    const first = await buildOk(project(name, '^1.0.0'), scoped)
    expect(first).toMatchObject({ cached: false, dependencies: { [name]: '1.0.0' } })
    const tarballs = (await registryRequests(name)).tarball

    const again = await buildOk(project(name, '^1.0.0'), scoped)
    expect(again).toMatchObject({ cached: true, dependencies: { [name]: '1.0.0' } })
    expect(again.worker).toEqual(first.worker)
    expect((await registryRequests(name)).tarball).toBe(tarballs)

    await publishVersion(name, '1.0.1')
    const rebuilt = await buildOk(project(name, '^1.0.0'), scoped)
    expect(rebuilt).toMatchObject({ cached: false, dependencies: { [name]: '1.0.1' } })
    expect(await (await runWorker(rebuilt, new Request('http://x/'))).text()).toBe('1.0.1')
  })

  it('rebuilds when one file changes', async () => {
    const files = { 'src/index.ts': "export default { fetch: () => new Response('a') }\n" }
    expect((await buildOk({ files }, scoped)).cached).toBe(false)
    expect((await buildOk({ files }, scoped)).cached).toBe(true)
    const changed = await buildOk(
      { files: { 'src/index.ts': "export default { fetch: () => new Response('b') }\n" } },
      scoped,
    )
    expect(changed.cached).toBe(false)
  })

  it('pins every package to the version package-lock.json names', async () => {
    const name = uniquePackage('pinned')
    const inner = uniquePackage('pinned-dep')
    await publishVersion(inner, '1.0.0')
    await publishVersion(inner, '1.5.0')
    await publish({
      name,
      version: '1.0.0',
      dependencies: { [inner]: '^1.0.0' },
      files: { 'index.js': `export { version } from '${inner}'\n` },
      manifest: { type: 'module', main: 'index.js' },
    })
    await publish({
      name,
      version: '1.2.0',
      files: { 'index.js': "export const version = 'unpinned'\n" },
      manifest: { type: 'module', main: 'index.js' },
    })
    const unlocked = await buildOk(project(name, '^1.0.0'))
    expect(unlocked.dependencies).toEqual({ [name]: '1.2.0' })

    const locked = await buildOk(
      project(name, '^1.0.0', { 'package-lock.json': lockfile({ [name]: '1.0.0', [inner]: '1.0.0' }) }),
    )
    expect(locked.dependencies).toEqual({ [name]: '1.0.0', [inner]: '1.0.0' })
    expect(await (await runWorker(locked, new Request('http://x/'))).text()).toBe('1.0.0')
  })

  it('refuses a lockfile that does not match package.json', async () => {
    const name = uniquePackage('stale')
    await publishVersion(name, '2.0.0')
    const failure = await buildFails(project(name, '^2.0.0', { 'package-lock.json': lockfile({ [name]: '1.0.0' }) }))
    expect(failure).toMatchObject({ kind: 'user', errors: [{ file: 'package-lock.json', package: name }] })
    expect(failure.errors[0]?.message).toContain('out of date')
  })

  it('turns an install warning (a locked version the registry lacks) into a build error naming the package', async () => {
    const name = uniquePackage('unpublished')
    await publishVersion(name, '1.0.0')
    const failure = await buildFails(project(name, '^1.0.0', { 'package-lock.json': lockfile({ [name]: '1.0.9' }) }))
    expect(failure).toMatchObject({ kind: 'user', errors: [{ package: name }] })
  })

  it('adds a package the lockfile misses, with a warning', async () => {
    const name = uniquePackage('partial')
    const inner = uniquePackage('partial-dep')
    await publishVersion(inner, '3.0.0')
    await publish({
      name,
      version: '1.0.0',
      dependencies: { [inner]: '^3.0.0' },
      files: { 'index.js': `export { version } from '${inner}'\n` },
      manifest: { type: 'module', main: 'index.js' },
    })
    const result = await buildOk(project(name, '^1.0.0', { 'package-lock.json': lockfile({ [name]: '1.0.0' }) }))
    expect(result.dependencies).toEqual({ [name]: '1.0.0', [inner]: '3.0.0' })
    expect(result.warnings.join('\n')).toContain(`package-lock.json does not list ${inner}`)
  })
})
