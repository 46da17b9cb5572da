import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  assertWithinHops,
  egressRefusal,
  fromOutboundParameters,
  HOPS_HEADER,
  incomingHops,
  sendOutbound,
  type EgressGateProps,
} from '../../src/dispatch/egress'
import { PlatformError } from '../../src/core/errors'

const allowAll: EgressGateProps = {
  egress: { mode: 'allow-all', hosts: [] },
  hops: 0,
  platformHosts: ['platform.test'],
}

describe('egressRefusal', () => {
  it('lets public hosts through in allow-all', () => {
    for (const host of ['example.com', 'api.example.com:8443', '1.1.1.1', '[2606:4700::1111]:443']) {
      expect(egressRefusal(allowAll, host), host).toBeUndefined()
    }
  })

  it('refuses loopback, private and special addresses in every spelling, in every mode', () => {
    const list: EgressGateProps = { ...allowAll, egress: { mode: 'allow-list', hosts: ['127.0.0.1', 'localhost'] } }
    for (const props of [allowAll, list]) {
      for (const host of [
        '127.0.0.1:9229',
        '2130706433',
        '0x7f.1',
        '127.1',
        '[::1]',
        '[::ffff:127.0.0.1]',
        '10.0.0.1',
      ]) {
        expect(egressRefusal(props, host), host).toMatch(
          /^Egress blocked by the platform: .* is not on the public internet\.$/,
        )
      }
    }
  })

  it('refuses localhost, *.localhost and the platform’s own hosts', () => {
    for (const host of [
      'localhost',
      'localhost.',
      'LOCALHOST:8787',
      'a.b.localhost',
      'platform.test',
      'platform.test.',
    ]) {
      expect(egressRefusal(allowAll, host), host).toContain('is not on the public internet')
    }
    expect(egressRefusal(allowAll, 'notlocalhost.com')).toBeUndefined()
  })

  it('applies the allow-list and block-all as before', () => {
    const list: EgressGateProps = { ...allowAll, egress: { mode: 'allow-list', hosts: ['*.example.com', 'api.test'] } }
    expect(egressRefusal(list, 'a.example.com')).toBeUndefined()
    expect(egressRefusal(list, 'api.test')).toBeUndefined()
    expect(egressRefusal(list, 'evil.test')).toBe(
      "Egress blocked by the platform: evil.test is not on this worker's allow-list.",
    )
    const none: EgressGateProps = { ...allowAll, egress: { mode: 'block-all', hosts: [] } }
    expect(egressRefusal(none, 'example.com')).toContain('is not on this worker')
  })

  it('refuses what is not a host at all', () => {
    expect(egressRefusal(allowAll, 'exa mple.com')).toContain('is not a valid host')
  })
})

describe('hops', () => {
  it('reads a client’s count, ignoring garbage and capping it just past the limit', () => {
    expect(incomingHops(null, 5)).toBe(0)
    expect(incomingHops('3', 5)).toBe(3)
    expect(incomingHops(' 2 ', 5)).toBe(2)
    expect(incomingHops('-1', 5)).toBe(0)
    expect(incomingHops('abc', 5)).toBe(0)
    expect(incomingHops('999999', 5)).toBe(6)
  })

  it('refuses more hops than the limit with loop_detected (508)', () => {
    expect(() => assertWithinHops(5, 5)).not.toThrow()
    try {
      assertWithinHops(6, 5)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(PlatformError)
      expect((error as PlatformError).status).toBe(508)
      expect((error as PlatformError).message).toContain('fetching itself in a loop')
    }
  })
})

describe('sendOutbound (the gate and the outbound Worker)', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('stamps the hop count from its props over whatever the user code sent, and never follows redirects', async () => {
    const sent: Request[] = []
    vi.spyOn(globalThis, 'fetch').mockImplementation((input) => {
      sent.push(input as Request)
      return Promise.resolve(new Response(null, { status: 302, headers: { Location: 'http://127.0.0.1/' } }))
    })
    const request = new Request('http://example.com/x', { headers: { [HOPS_HEADER]: '0' } })
    const response = await sendOutbound(request, { ...allowAll, hops: 3 })
    expect(response.status).toBe(302)
    expect(sent[0]?.headers.get(HOPS_HEADER)).toBe('4')
    expect(sent[0]?.redirect).toBe('manual')
  })

  it('fails a refused or failed request with a clear message, before any connection for a refusal', async () => {
    const spy = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('internal error; reference = abc'))
    await expect(sendOutbound(new Request('http://127.0.0.1:9229/json'), allowAll)).rejects.toBe(
      'Egress blocked by the platform: 127.0.0.1 is not on the public internet.',
    )
    expect(spy).not.toHaveBeenCalled()
    await expect(sendOutbound(new Request('http://offline.example/'), allowAll)).rejects.toBe(
      'Egress failed: could not connect to offline.example.',
    )
  })
})

describe('outbound parameters', () => {
  it('round-trip what the namespace backend sends', () => {
    expect(
      fromOutboundParameters({
        egress: JSON.stringify({ mode: 'allow-list', hosts: ['a.test'], sockets: true }),
        hops: '2',
        platformHosts: 'platform.test,workers.test',
      }),
    ).toEqual({
      egress: { mode: 'allow-list', hosts: ['a.test'], sockets: true },
      hops: 2,
      platformHosts: ['platform.test', 'workers.test'],
    })
    expect(fromOutboundParameters({})).toEqual({ egress: { mode: 'allow-all', hosts: [] }, hops: 0, platformHosts: [] })
  })
})
