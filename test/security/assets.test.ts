import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { AssetManifest } from '../../src/assets/serve'
import { platform, uniqueName } from '../helpers'
import { ECHO_BUNDLE, asset, deployRelease, release } from '../assets/helpers'

const manifestOf = async (workerId: string) => {
  const manifest = await env.WORKER_MAPPINGS.get<AssetManifest>(`assets/${workerId}`, 'json')
  if (!manifest) throw new Error(`no manifest for ${workerId}`)
  return manifest
}

describe('static assets: the shared-origin sandbox', () => {
  it('asset responses get the CSP sandbox like any user response, 404s and redirects too', async () => {
    const name = uniqueName('sandbox')
    await deployRelease(name, release(ECHO_BUNDLE, [asset('/index.html', '<script>document.cookie</script>')]))
    await deployRelease(uniqueName('sandbox'), release(null, [asset('/index.html', 'x')]))
    const site = uniqueName('sandbox')
    await deployRelease(site, release(null, [asset('/index.html', 'x'), asset('/about.html', 'a')]))

    for (const path of [
      `/user-workers/${name}/`,
      `/user-workers/${site}/missing`,
      `/user-workers/${site}/about.html`,
    ]) {
      const res = await platform(path)
      expect([200, 404, 307]).toContain(res.status)
      expect(res.headers.get('Content-Security-Policy'), path).toMatch(/^sandbox /)
      expect(res.headers.get('Content-Security-Policy')).not.toContain('allow-same-origin')
    }
  })
})

describe('static assets: tenants are kept apart', () => {
  it('identical bytes of two tenants get different content keys and ETags', async () => {
    const bytes = [asset('/index.html', 'the very same bytes')]
    const [a, b] = await Promise.all([
      deployRelease(uniqueName('tenant'), release(null, bytes)),
      deployRelease(uniqueName('tenant'), release(null, bytes)),
    ])
    expect(a.record.ownerId).not.toBe(b.record.ownerId)
    const [entryA, entryB] = [
      (await manifestOf(a.record.workerId)).files['/index.html'],
      (await manifestOf(b.record.workerId)).files['/index.html'],
    ]
    expect(entryA?.key).not.toBe(entryB?.key)
    expect(entryA?.etag).not.toBe(entryB?.etag)
    expect(entryA?.key.startsWith(`asset/${a.record.workerId}/`)).toBe(true)
    const etagA = (await platform(`/user-workers/${a.record.name}/`)).headers.get('ETag')
    const etagB = (await platform(`/user-workers/${b.record.name}/`)).headers.get('ETag')
    expect(etagA).not.toBe(etagB)
  })

  it('a manifest naming another tenant’s content is never served from it', async () => {
    const victim = await deployRelease(uniqueName('tenant'), release(null, [asset('/secret.html', 'victim only')]))
    const other = await deployRelease(uniqueName('tenant'), release(null, [asset('/index.html', 'mine')]))
    // Even if a manifest were altered (by a bug, or whoever can write KV) to point at the victim's key…
    const manifest = await manifestOf(other.record.workerId)
    const stolen = (await manifestOf(victim.record.workerId)).files['/secret.html']
    if (!stolen) throw new Error('victim manifest has no /secret.html')
    manifest.files['/index.html'] = stolen
    await env.WORKER_MAPPINGS.put(`assets/${other.record.workerId}`, JSON.stringify(manifest))

    const res = await platform(`/user-workers/${other.record.name}/`)
    expect(res.status).toBe(502)
    expect(await res.text()).not.toContain('victim only')
  })
})
