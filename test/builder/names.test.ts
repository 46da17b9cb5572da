import { describe, expect, it } from 'vitest'
import { BuildFailed } from '../../builder/src/failure'
import { isValidPackageName } from '../../builder/src/package-name'
import { Registry } from '../../builder/src/registry'
import { buildFails, LIMITS, publish, REGISTRY, registryPaths, uniquePackage } from './helpers'

const worker = (name: string) => `import '${name}'\nexport default { fetch: () => new Response('x') }\n`

function project(dependencies: Record<string, string>, extra: Record<string, string> = {}) {
  return {
    files: {
      'package.json': JSON.stringify({ dependencies }),
      'src/index.ts': worker(Object.keys(dependencies)[0] ?? 'none'),
      ...extra,
    },
  }
}

describe('package names from untrusted data', () => {
  it('follows npm’s rules', () => {
    // JSONStream: npm still serves the capitals of names published before it forbade them.
    for (const name of [
      'hono',
      '@cloudflare/workers-types',
      'lodash.merge',
      'a-b_c~d',
      'JSONStream',
      'x'.repeat(214),
    ]) {
      expect(isValidPackageName(name), name).toBe(true)
    }
    for (const name of [
      '../../-/requests?x=',
      '..',
      '.hidden',
      '_private',
      '@Scope/name',
      'has space',
      'a/b',
      '@scope/',
      '@scope/a/b',
      '@/a',
      'a%2fb',
      'x'.repeat(215),
      '',
    ]) {
      expect(isValidPackageName(name), name).toBe(false)
    }
  })

  it('never builds a registry URL from an invalid name, and encodes a scoped one', () => {
    const registry = new Registry(REGISTRY, LIMITS)
    expect(registry.packageUrl('@scope/name')).toBe(`${REGISTRY}/@scope%2Fname`)
    expect(() => registry.packageUrl('../../-/requests?x=')).toThrow(BuildFailed)
  })

  it('refuses a dependency name from a packument before it is requested (it reached /-/requests?x=)', async () => {
    const name = uniquePackage('hostile-meta')
    await publish({
      name,
      version: '1.0.0',
      dependencies: { '../../-/requests?x=': '1.0.0' },
      files: { 'index.js': 'export {}' },
    })
    const failure = await buildFails(project({ [name]: '1.0.0' }))
    expect(failure).toMatchObject({ kind: 'user', errors: [{ package: name }] })
    expect(failure.errors[0]?.message).toContain('not a valid npm package name')
    expect((await registryPaths()).filter((path) => path.includes('requests?x='))).toEqual([])
  })

  it('refuses invalid names in package.json and package-lock.json', async () => {
    expect(await buildFails(project({ '../evil': '1.0.0' }))).toMatchObject({ kind: 'user' })
    const name = uniquePackage('locked')
    const lock = JSON.stringify({
      lockfileVersion: 3,
      packages: { '': {}, [`node_modules/${name}`]: { version: '1.0.0' }, 'node_modules/_bad': { version: '1.0.0' } },
    })
    const failure = await buildFails(project({ [name]: '1.0.0' }, { 'package-lock.json': lock }))
    expect(failure).toMatchObject({ kind: 'user', errors: [{ file: 'package-lock.json' }] })
  })

  it('fetches tarballs only from the registry’s origin', () => {
    const registry = new Registry(REGISTRY, LIMITS)
    expect(registry.tarballUrl('a@1.0.0', `${REGISTRY}/a/-/a-1.0.0.tgz`)).toBe(`${REGISTRY}/a/-/a-1.0.0.tgz`)
    expect(() => registry.tarballUrl('a@1.0.0', 'http://169.254.169.254/latest/meta-data')).toThrow(BuildFailed)
    expect(() => registry.tarballUrl('a@1.0.0', 'file:///etc/passwd')).toThrow(BuildFailed)
  })
})
