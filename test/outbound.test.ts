import { describe, expect, it } from 'vitest'
import outbound from '../outbound/index'

// The outbound Worker of the dispatch namespace, called as the dispatcher would call it.
const call = (url: string, egress?: unknown) =>
  outbound.fetch(new Request(url), egress === undefined ? {} : { egress: JSON.stringify(egress) })

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
})
