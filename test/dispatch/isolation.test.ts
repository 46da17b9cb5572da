import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { forwardedCf } from '../../src/dispatch/isolation'

const CF = { country: 'NZ', colo: 'AKL' }
const incoming = () => new Request('http://platform.test/user-workers/x', { cf: CF })

describe('request.cf for user Workers (USER_WORKERS_TRUSTED)', () => {
  it('is passed on only when user Workers are trusted', () => {
    expect(forwardedCf(incoming(), true)).toMatchObject(CF)
    expect(forwardedCf(incoming(), false)).toBeUndefined()
  })

  it('reaches a Worker Loader isolate exactly when the forwarded request carries it', async () => {
    const worker = env.LOADER.load({
      compatibilityDate: '2026-11-01',
      mainModule: 'w.js',
      modules: { 'w.js': 'export default { fetch: (request) => Response.json(request.cf ?? null) }' },
    })
    const forward = (trusted: boolean) =>
      worker.getEntrypoint().fetch(new Request('http://x/', { cf: forwardedCf(incoming(), trusted) }))
    expect(await (await forward(true)).json()).toMatchObject(CF)
    expect(await (await forward(false)).json()).toBeNull()
  })
})

describe('the Cache API in bare Worker Loader isolates (why the platform provides its own: cache/tenant-cache.ts)', () => {
  it('is not configured: caches.default and a cache from caches.open() throw "No Cache was configured"', async () => {
    const worker = env.LOADER.load({
      compatibilityDate: '2026-11-01',
      mainModule: 'w.js',
      modules: {
        'w.js': `export default { async fetch() {
          const errors = []
          try { await caches.default.match("http://x/") } catch (error) { errors.push(String(error)) }
          try { await (await caches.open("mine")).match("http://x/") } catch (error) { errors.push(String(error)) }
          return Response.json(errors)
        } }`,
      },
    })
    const errors = await (await worker.getEntrypoint().fetch('http://x/')).json<string[]>()
    expect(errors).toHaveLength(2)
    for (const error of errors) expect(error).toContain('No Cache was configured')
  })
})
