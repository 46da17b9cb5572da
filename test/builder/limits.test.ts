import { zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { toWorkerBundle } from '../../builder/src/modules'
import { build, buildFails, LIMITS, publish, uniquePackage } from './helpers'

const encoder = new TextEncoder()
const worker = "export default { fetch: () => new Response('x') }\n"

describe('limits', () => {
  it('maxFiles', async () => {
    const files = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`public/${i}.txt`, 'x']))
    const failure = await buildFails({ files }, { limits: { ...LIMITS, maxFiles: 3 } })
    expect(failure).toMatchObject({ kind: 'limit', limit: 'maxFiles' })
  })

  it('maxFileBytes', async () => {
    const failure = await buildFails(
      { files: { 'src/index.ts': worker, 'public/big.bin': new Uint8Array(101) } },
      { limits: { ...LIMITS, maxFileBytes: 100 } },
    )
    expect(failure).toMatchObject({ kind: 'limit', limit: 'maxFileBytes' })
    expect(failure.errors[0]?.message).toContain('public/big.bin')
  })

  it('maxTotalBytes', async () => {
    const files = { 'public/a.txt': 'a'.repeat(60), 'public/b.txt': 'b'.repeat(60) }
    const failure = await buildFails({ files }, { limits: { ...LIMITS, maxTotalBytes: 100 } })
    expect(failure).toMatchObject({ kind: 'limit', limit: 'maxTotalBytes' })
  })

  it('checks a zip against the limits by its declared sizes, before unpacking', async () => {
    const zip = zipSync({ 'public/zeros.bin': new Uint8Array(1_000_000) })
    expect(zip.byteLength).toBeLessThan(10_000)
    const big = await buildFails({ zip }, { limits: { ...LIMITS, maxFileBytes: 1000 } })
    expect(big).toMatchObject({ kind: 'limit', limit: 'maxFileBytes' })
    const many = zipSync(
      Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`public/${i}.txt`, encoder.encode('x')])),
    )
    expect(await buildFails({ zip: many }, { limits: { ...LIMITS, maxFiles: 4 } })).toMatchObject({ limit: 'maxFiles' })
    const total = zipSync({ 'public/a': new Uint8Array(600), 'public/b': new Uint8Array(600) })
    expect(await buildFails({ zip: total }, { limits: { ...LIMITS, maxTotalBytes: 1000 } })).toMatchObject({
      limit: 'maxTotalBytes',
    })
  })

  it('maxDependencies counts transitive packages', async () => {
    const leaf = uniquePackage('leaf')
    const middle = uniquePackage('middle')
    await publish({ name: leaf, version: '1.0.0', files: { 'index.js': 'export {}' } })
    await publish({ name: middle, version: '1.0.0', dependencies: { [leaf]: '1' }, files: { 'index.js': 'export {}' } })
    const failure = await buildFails(
      { files: { 'package.json': JSON.stringify({ dependencies: { [middle]: '^1.0.0' } }), 'src/index.ts': worker } },
      { limits: { ...LIMITS, maxDependencies: 1 } },
    )
    expect(failure).toMatchObject({ kind: 'limit', limit: 'maxDependencies' })
  })

  it('maxBuildMs stops a build that runs longer', async () => {
    // Any build that bundles takes well over 1 ms; the failure names the limit.
    const failure = await buildFails(
      { files: { 'src/index.ts': worker.repeat(200) } },
      { limits: { ...LIMITS, maxBuildMs: 1 } },
    )
    expect(failure).toMatchObject({ kind: 'limit', limit: 'maxBuildMs' })
  })

  it('a request with nonsense limits or registry is the platform’s fault, not the tenant’s', async () => {
    const zero = await build({ files: { 'src/index.ts': worker } }, { limits: { ...LIMITS, maxFiles: 0 } })
    expect(zero).toMatchObject({ ok: false, kind: 'internal' })
    const registry = await build({ files: { 'src/index.ts': worker } }, { registry: 'file:///etc' })
    expect(registry).toMatchObject({ ok: false, kind: 'internal' })
  })
})

describe('paths', () => {
  it.each([
    ['../secret.ts', '..'],
    ['src/../../x.ts', '..'],
    ['/etc/passwd', 'relative'],
    ['C:/x.ts', 'relative'],
    ['a\\..\\..\\b.ts', '..'],
  ])('refuses %s', async (path, words) => {
    const failure = await buildFails({ files: { 'src/index.ts': worker, [path]: 'x' } })
    expect(failure.kind).toBe('user')
    expect(failure.errors[0]?.message).toContain(words)
  })

  it('refuses the same path twice (once via "./")', async () => {
    const failure = await buildFails({ files: { 'src/index.ts': worker, './src/index.ts': worker } })
    expect(failure.errors[0]?.message).toContain('twice')
  })

  it('refuses ".." inside a zip', async () => {
    const zip = zipSync({ 'src/index.ts': encoder.encode(worker), '../evil.ts': encoder.encode('x') })
    expect(await buildFails({ zip })).toMatchObject({ kind: 'user' })
  })
})

describe('pieces', () => {
  it('maps every worker-bundler module form to the platform bundle', () => {
    const wasm = new Uint8Array([0, 97, 115, 109])
    expect(
      toWorkerBundle('bundle.js', {
        'bundle.js': 'export default {}',
        'b.js': { js: 'export const b = 1' },
        'c.txt': { text: 'hello' },
        'd.json': { json: { a: 1 } },
        'e.wasm': { data: wasm.buffer },
      }),
    ).toEqual({
      mainModule: 'bundle.js',
      modules: [
        { name: 'bundle.js', type: 'esm', content: 'export default {}' },
        { name: 'b.js', type: 'esm', content: 'export const b = 1' },
        { name: 'c.txt', type: 'text', content: 'hello' },
        { name: 'd.json', type: 'json', content: '{"a":1}' },
        { name: 'e.wasm', type: 'wasm', content: 'AGFzbQ==' },
      ],
    })
    expect(() => toWorkerBundle('a.cjs', { 'a.cjs': { cjs: 'module.exports = 1' } })).toThrow(/cannot deploy/)
  })
})
