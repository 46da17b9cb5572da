import { describe, expect, it } from 'vitest'
import { redacted, REDACTED, type Invocation } from '../../src/logs/invocations'
import { matchesFilters } from '../../src/logs/tail-filters'

// The filters of `wrangler tail`, applied on the platform (test/client-api/tail.test.ts runs them
// through a real socket); here what the socket test cannot draw: sampling, versions, crons.

const request: Invocation = {
  outcome: 'ok',
  scriptName: 'shop',
  scriptVersion: { id: 'w-1' },
  eventTimestamp: 1,
  event: { request: { url: 'https://shop/', method: 'GET', headers: { 'cf-connecting-ip': '192.0.2.1' } } },
  logs: [{ message: ['paid', { order: 7 }], level: 'log', timestamp: 1 }],
  exceptions: [],
}
const cron: Invocation = { ...request, event: { cron: '*/5 * * * *', scheduledTime: 1 } }

describe('tail filters', () => {
  it('samples at the rate asked for', () => {
    expect(matchesFilters([{ sampling_rate: 0.25 }], request, 'me', () => 0.2)).toBe(true)
    expect(matchesFilters([{ sampling_rate: 0.25 }], request, 'me', () => 0.3)).toBe(false)
  })

  it('matches a version, and a search in logged values too', () => {
    expect(matchesFilters([{ scriptVersion: 'w-1' }], request, 'me')).toBe(true)
    expect(matchesFilters([{ scriptVersion: 'w-2' }], request, 'me')).toBe(false)
    expect(matchesFilters([{ query: '"order":7' }], request, 'me')).toBe(true)
  })

  it('needs every filter to match; request filters never match a cron run', () => {
    expect(matchesFilters([{ method: ['GET'] }, { outcome: ['exception'] }], request, 'me')).toBe(false)
    expect(matchesFilters([{ method: ['get'] }, { client_ip: ['192.0.2.1'] }], request, 'me')).toBe(true)
    expect(matchesFilters([{ method: ['GET'] }], cron, 'me')).toBe(false)
    expect(matchesFilters([{ outcome: ['ok'] }], cron, 'me')).toBe(true)
    expect(matchesFilters([], cron, 'me')).toBe(true)
  })

  it('redacts credentials whatever their case', () => {
    expect(redacted({ Authorization: 'Bearer x', 'X-API-Key': 'k', accept: '*/*' })).toEqual({
      Authorization: REDACTED,
      'X-API-Key': REDACTED,
      accept: '*/*',
    })
  })
})
