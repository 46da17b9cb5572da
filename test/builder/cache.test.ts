import { describe, expect, it } from 'vitest'
import { buildKey } from '../../builder/src/cache'
import { buildOk, publish, runWorker, uniquePackage } from './helpers'

const encoder = new TextEncoder()

function latestProject(name: string) {
  return {
    files: {
      'package.json': JSON.stringify({ dependencies: { [name]: 'latest' } }),
      'package-lock.json': JSON.stringify({
        lockfileVersion: 3,
        packages: { '': {}, [`node_modules/${name}`]: { version: 'latest' } },
      }),
      'src/index.ts': `import { version } from '${name}'\nexport default { fetch: () => new Response(version) }\n`,
    },
  }
}

function publishVersion(name: string, version: string): Promise<void> {
  return publish({
    name,
    version,
    files: { 'index.js': `export const version = '${version}'\n` },
    manifest: { type: 'module', main: 'index.js' },
  })
}

describe('the build cache', () => {
  it('keys a lockfile’s "version": "latest" by the version it resolves to, so a new latest is built', async () => {
    const name = uniquePackage('latest')
    const scope = { cacheScope: 'tenant-latest' }
    await publishVersion(name, '1.0.0')
    const first = await buildOk(latestProject(name), scope)
    expect(first).toMatchObject({ cached: false, dependencies: { [name]: '1.0.0' } })
    expect(first.warnings.join('\n')).toContain(`pins ${name} to "latest"`)
    expect((await buildOk(latestProject(name), scope)).cached).toBe(true)

    await publishVersion(name, '1.0.1')
    const rebuilt = await buildOk(latestProject(name), scope)
    expect(rebuilt).toMatchObject({ cached: false, dependencies: { [name]: '1.0.1' } })
    expect(await (await runWorker(rebuilt, new Request('http://x/'))).text()).toBe('1.0.1')
  })

  it('refuses to key a build on anything but exact versions', async () => {
    const files = new Map([['src/index.ts', encoder.encode('export {}')]])
    const key = (version: string) => buildKey({ scope: 's', files, versions: new Map([['a', version]]), options: {} })
    await expect(key('1.0.0')).resolves.toMatch(/^[0-9a-f]{64}$/)
    for (const version of ['latest', '^1.0.0', '1.x', '*', 'v1.0.0']) await expect(key(version)).rejects.toThrow()
  })

  it('reuses a build only within the same cache scope (a hit would tell one tenant what another built)', async () => {
    const files = { 'src/index.ts': `export default { fetch: () => new Response('${crypto.randomUUID()}') }\n` }
    expect((await buildOk({ files }, { cacheScope: 'tenant-a' })).cached).toBe(false)
    expect((await buildOk({ files }, { cacheScope: 'tenant-a' })).cached).toBe(true)
    expect((await buildOk({ files }, { cacheScope: 'tenant-b' })).cached).toBe(false)
    // Without a scope nothing is reused, nor stored.
    expect((await buildOk({ files })).cached).toBe(false)
    expect((await buildOk({ files })).cached).toBe(false)
  })
})
