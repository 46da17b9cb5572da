import { afterEach, describe, expect, it, vi } from 'vitest'
import outbound from '../outbound/index'
import { HOPS_HEADER, type OutboundParameters } from '../src/dispatch/egress'

// The outbound Worker of the dispatch namespace, called as the dispatcher would call it.
const call = (url: string, egress?: unknown, extra: OutboundParameters = {}) =>
  outbound.fetch(new Request(url), { ...(egress === undefined ? {} : { egress: JSON.stringify(egress) }), ...extra })

afterEach(() => {
  vi.restoreAllMocks()
})

describe('outbound Worker (dispatch-namespace egress)', () => {
  it('passes allowed requests on', async () => {
    expect((await call('http://cloudflare-api.test/__double/requests')).status).toBe(200)
    expect(
      (
        await call('http://cloudflare-api.test/__double/requests', {
          mode: 'allow-list',
          hosts: ['cloudflare-api.test'],
        })
      ).status,
    ).toBe(200)
  })

  it('fails blocked requests with a clear error', async () => {
    await expect(call('http://cloudflare-api.test/', { mode: 'block-all', hosts: [] })).rejects.toThrow(
      "Egress blocked by the platform: cloudflare-api.test is not on this worker's allow-list.",
    )
    await expect(call('http://evil.test/', { mode: 'allow-list', hosts: ['*.example.com'] })).rejects.toThrow(
      'evil.test',
    )
  })

  it('applies the same rules as the platform’s gate: public internet only, the platform’s hosts refused', async () => {
    for (const url of ['http://127.0.0.1:9229/', 'http://[::ffff:127.0.0.1]/', 'http://localhost/']) {
      await expect(call(url), url).rejects.toThrow('is not on the public internet')
    }
    await expect(call('http://platform.test/', undefined, { platformHosts: 'platform.test' })).rejects.toThrow(
      'platform.test is not on the public internet',
    )
  })

  it('stamps the hop count it was given, plus one', async () => {
    const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('ok'))
    const request = new Request('http://example.com/', { headers: { [HOPS_HEADER]: '0' } })
    await outbound.fetch(request, { hops: '3' })
    expect((spy.mock.calls[0]?.[0] as Request).headers.get(HOPS_HEADER)).toBe('4')
  })
})
