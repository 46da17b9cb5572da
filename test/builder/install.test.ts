import { describe, expect, it } from 'vitest'
import { ByteBudget } from '../../builder/src/budget'
import { BuildFailed } from '../../builder/src/failure'
import { extractTarball } from '../../builder/src/tarball'
import { describeLimit } from '../../src/deploy/projects'
import { npmTarballBomb } from '../doubles/tarball'
import { buildFails, buildOk, LIMITS, publish, registryRequests, uniquePackage } from './helpers'

const MB = 1024 * 1024
const worker = (name: string) =>
  `import * as pkg from '${name}'\nexport default { fetch: () => new Response(String(Object.keys(pkg))) }\n`

function project(dependencies: Record<string, string>, extra: Record<string, string> = {}) {
  const [first] = Object.keys(dependencies)
  return {
    files: {
      'package.json': JSON.stringify({ dependencies }),
      'src/index.ts': worker(first ?? 'none'),
      ...extra,
    },
  }
}

function* chunksOf(bytes: Uint8Array, size: number, pulled: { bytes: number }): Generator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += size) {
    const chunk = bytes.subarray(offset, offset + size)
    pulled.bytes += chunk.byteLength
    yield chunk
  }
}

describe('install budgets', () => {
  it('stops inflating a tarball bomb once it passes the package budget (64 MiB of spaces, 1 MiB cap)', async () => {
    const bomb = npmTarballBomb('big.js', 64 * MB)
    expect(bomb.byteLength).toBeLessThan(200_000)
    const pulled = { bytes: 0 }
    const limit = (): never => {
      throw BuildFailed.limit('maxPackageBytes', 'over')
    }
    const perPackage = new ByteBudget(MB, limit)
    const error = await extractTarball(
      chunksOf(bomb, 8192, pulled),
      { compressed: new ByteBudget(MB, limit), decompressed: [perPackage] },
      () => true,
    ).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(BuildFailed)
    expect((error as BuildFailed).limit).toBe('maxPackageBytes')
    // One 8 KiB slice of deflate inflates to at most ~8.5 MB: the work stops within a slice of the cap.
    expect(perPackage.spent).toBeLessThanOrEqual(MB + 8192 * 1032)
    expect(pulled.bytes).toBeLessThanOrEqual(8192)
  })

  it('lets other work run while it inflates, however far the data inflates: a turn every ~256 KiB of output', async () => {
    // Under wrangler dev the builder shares workerd's thread with the platform: a package inflated in
    // one go held every other request (a 32 MB one, 2.1 s of GET /). Counted in turns, not time.
    const tarball = npmTarballBomb('index.js', 4 * MB)
    const never = (): never => {
      throw new Error('no budget is passed here')
    }
    let turns = 0
    let extracting = true
    const count = async () => {
      while (extracting) {
        await new Promise((resolve) => setTimeout(resolve, 0))
        turns += 1
      }
    }
    const counting = count()
    await extractTarball([tarball], { compressed: new ByteBudget(64 * MB, never), decompressed: [] }, () => false)
    extracting = false
    await counting
    // The first 1 KiB slice of a bomb may inflate to ~1 MB; from then on slices shrink to ~256 KiB of output.
    expect(turns).toBeGreaterThanOrEqual((3 * MB) / (512 * 1024))
  })

  it('answers maxPackageBytes for a package that unpacks too large, naming it', async () => {
    const name = uniquePackage('bomb')
    await publish({ name, version: '1.0.0', files: {}, tarball: npmTarballBomb('index.js', 64 * MB) })
    const failure = await buildFails(project({ [name]: '1.0.0' }))
    expect(failure).toMatchObject({ kind: 'limit', limit: 'maxPackageBytes' })
    expect(failure.errors[0]?.message).toContain(`${name}@1.0.0`)
  })

  it('answers maxInstallBytes when the packages together unpack too large', async () => {
    const a = uniquePackage('half-a')
    const b = uniquePackage('half-b')
    await publish({ name: a, version: '1.0.0', files: {}, tarball: npmTarballBomb('index.js', 3 * MB) })
    await publish({ name: b, version: '1.0.0', files: {}, tarball: npmTarballBomb('index.js', 3 * MB) })
    const limits = { ...LIMITS, maxPackageBytes: 4 * MB, maxInstallBytes: 5 * MB }
    const failure = await buildFails(project({ [a]: '1.0.0', [b]: '1.0.0' }), { limits })
    expect(failure).toMatchObject({ kind: 'limit', limit: 'maxInstallBytes' })
    // Each fits alone.
    await buildOk(project({ [a]: '1.0.0' }), { limits })
  })

  it('refuses a packument over maxPackumentBytes by its Content-Length, and a streamed one by the bytes read', async () => {
    const declared = uniquePackage('fat-declared')
    await publish({ name: declared, version: '1.0.0', files: { 'index.js': 'export {}' }, padding: 2 * MB })
    const limits = { ...LIMITS, maxPackumentBytes: MB }
    expect(await buildFails(project({ [declared]: '1.0.0' }), { limits })).toMatchObject({
      kind: 'limit',
      limit: 'maxPackumentBytes',
    })

    const streamed = uniquePackage('fat-streamed')
    const padding = 8 * MB
    await publish({ name: streamed, version: '1.0.0', files: { 'index.js': 'export {}' }, padding, streamed: true })
    const failure = await buildFails(project({ [streamed]: '1.0.0' }), { limits })
    expect(failure).toMatchObject({ kind: 'limit', limit: 'maxPackumentBytes' })
    expect(failure.errors[0]?.message).toContain(streamed)
    // The builder stopped reading near the cap: most of the 8 MiB was never produced.
    expect((await registryRequests(streamed)).streamedBytes).toBeLessThan(2 * MB)
  })

  it('reads each packument once per build (it was fetched and parsed again by the installer)', async () => {
    const name = uniquePackage('once')
    const inner = uniquePackage('once-dep')
    await publish({ name: inner, version: '1.0.0', files: { 'index.js': 'export const x = 1' } })
    await publish({
      name,
      version: '1.0.0',
      dependencies: { [inner]: '^1.0.0' },
      files: { 'index.js': 'export const y = 2' },
    })
    await buildOk(project({ [name]: '^1.0.0' }))
    expect(await registryRequests(name)).toMatchObject({ packument: 1, tarball: 1 })
    expect(await registryRequests(inner)).toMatchObject({ packument: 1, tarball: 1 })
  })

  it('counts packages a lockfile misses while resolving, and stops at maxDependencies before any tarball', async () => {
    const chain = Array.from({ length: 12 }, (_, i) => uniquePackage(`chain${i}`))
    for (const [i, name] of [...chain.entries()].reverse()) {
      const next = chain[i + 1]
      await publish({
        name,
        version: '1.0.0',
        dependencies: next ? { [next]: '1.0.0' } : {},
        files: { 'index.js': 'export {}' },
      })
    }
    const [first] = chain as [string]
    const lock = JSON.stringify({
      lockfileVersion: 3,
      packages: { '': {}, [`node_modules/${first}`]: { version: '1.0.0' } },
    })
    const failure = await buildFails(project({ [first]: '1.0.0' }, { 'package-lock.json': lock }), {
      limits: { ...LIMITS, maxDependencies: 5 },
    })
    expect(failure).toMatchObject({ kind: 'limit', limit: 'maxDependencies' })
    const requests = await Promise.all(chain.map((name) => registryRequests(name)))
    expect(requests.reduce((sum, seen) => sum + seen.tarball, 0)).toBe(0)
    expect(requests.reduce((sum, seen) => sum + seen.packument, 0)).toBeLessThanOrEqual(5)
  })

  it('names the setting of each new cap in the platform’s 413 message', () => {
    const limits = { ...LIMITS, maxPackageBytes: 32 * MB, maxInstallBytes: 64 * MB, maxPackumentBytes: 64 * MB }
    expect(describeLimit('maxPackageBytes', limits)).toMatch(/MAX_PACKAGE_BYTES$/)
    expect(describeLimit('maxInstallBytes', limits)).toMatch(/MAX_INSTALL_BYTES$/)
    expect(describeLimit('maxPackumentBytes', limits)).toMatch(/MAX_PACKUMENT_BYTES$/)
  })
})
