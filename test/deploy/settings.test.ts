import { describe, expect, it } from 'vitest'
import { egressAllows } from '../../src/dispatch/egress'
import type { LimitPolicy, WorkerSettings } from '../../src/core/model'
import { defaultSettings, nextSettings, SETTINGS_LIMITS } from '../../src/deploy/settings'

const policy: LimitPolicy = { defaults: { cpuMs: 50, subRequests: 50 }, maxima: { cpuMs: 1000, subRequests: 100 } }

const current: WorkerSettings = {
  vars: { GREETING: 'hi', MODE: 'prod' },
  secretNames: ['API_KEY'],
  egress: { mode: 'allow-list', hosts: ['example.com'] },
  limits: { cpuMs: 100, subRequests: 10 },
}

const invalid = (fn: () => unknown) => expect(fn).toThrow(expect.objectContaining({ code: 'invalid_settings' }))

describe('settings: applying an upload over the current deployment', () => {
  it('starts from the policy defaults, allowing all egress', () => {
    expect(defaultSettings(policy)).toEqual({
      vars: {},
      secretNames: [],
      egress: { mode: 'allow-all', hosts: [] },
      limits: { cpuMs: 50, subRequests: 50 },
    })
    expect(nextSettings(undefined, {}, policy).settings).toEqual(defaultSettings(policy))
  })

  it('keeps what the input leaves out', () => {
    const { settings, secretChanges } = nextSettings(current, {}, policy)
    expect(settings).toEqual(current)
    expect(secretChanges).toEqual({})
  })

  it('sets, replaces and deletes variables by name; names not mentioned stay', () => {
    const { settings } = nextSettings(current, { vars: { GREETING: 'hello', MODE: null, NEW: 'x' } }, policy)
    expect(settings.vars).toEqual({ GREETING: 'hello', NEW: 'x' })
  })

  it('records secret names (sorted) and hands the changed values back, never storing them in settings', () => {
    const { settings, secretChanges } = nextSettings(current, { secrets: { TOKEN: 's3cret', API_KEY: null } }, policy)
    expect(settings.secretNames).toEqual(['TOKEN'])
    expect(secretChanges).toEqual({ TOKEN: 's3cret', API_KEY: null })
    expect(JSON.stringify(settings)).not.toContain('s3cret')
  })

  it('refuses a name that is both a variable and a secret', () => {
    invalid(() => nextSettings(current, { vars: { API_KEY: 'x' } }, policy))
  })

  it.each([
    ['a name starting with a digit', { vars: { '1X': 'v' } }],
    ['a name with a dash', { secrets: { 'MY-KEY': 'v' } }],
    ['a deletion of an invalid name', { vars: { 'bad name': null } }],
    ['a value over 5 KiB', { vars: { BIG: 'x'.repeat(SETTINGS_LIMITS.valueBytes + 1) } }],
    [
      'too many variables',
      { vars: Object.fromEntries(Array.from({ length: SETTINGS_LIMITS.entries + 1 }, (_, i) => [`V${i}`, 'x'])) },
    ],
  ])('refuses %s', (_label, input) => {
    invalid(() => nextSettings(undefined, input, policy))
  })

  it('normalises an allow-list: lowercase, trimmed, without duplicates', () => {
    const egress = { mode: 'allow-list' as const, hosts: [' Example.COM ', 'example.com', '*.api.test'] }
    expect(nextSettings(undefined, { egress }, policy).settings.egress).toEqual({
      mode: 'allow-list',
      hosts: ['example.com', '*.api.test'],
    })
  })

  it('drops the hosts of modes that do not use them', () => {
    const { settings } = nextSettings(current, { egress: { mode: 'block-all', hosts: ['example.com'] } }, policy)
    expect(settings.egress).toEqual({ mode: 'block-all', hosts: [] })
  })

  it.each([
    ['an unknown mode', { mode: 'some' as never, hosts: [] }],
    ['an empty allow-list', { mode: 'allow-list' as const, hosts: [] }],
    ['a URL instead of a host', { mode: 'allow-list' as const, hosts: ['https://example.com/'] }],
    ['a wildcard in the middle', { mode: 'allow-list' as const, hosts: ['api.*.com'] }],
  ])('refuses egress with %s', (_label, egress) => {
    invalid(() => nextSettings(undefined, { egress }, policy))
  })

  it('merges limits with the current ones and holds them to the maxima', () => {
    expect(nextSettings(current, { limits: { cpuMs: 1000 } }, policy).settings.limits).toEqual({
      cpuMs: 1000,
      subRequests: 10,
    })
    invalid(() => nextSettings(current, { limits: { cpuMs: 1001 } }, policy))
    invalid(() => nextSettings(current, { limits: { subRequests: 0 } }, policy))
    invalid(() => nextSettings(current, { limits: { cpuMs: 1.5 } }, policy))
  })
})

describe('egress policy', () => {
  it('allows all, none, or the listed hosts (a wildcard matches subdomains only)', () => {
    expect(egressAllows({ mode: 'allow-all', hosts: [] }, 'anything.test')).toBe(true)
    expect(egressAllows({ mode: 'block-all', hosts: [] }, 'example.com')).toBe(false)
    const list = { mode: 'allow-list' as const, hosts: ['example.com', '*.api.test'] }
    expect(egressAllows(list, 'EXAMPLE.com')).toBe(true)
    expect(egressAllows(list, 'www.example.com')).toBe(false)
    expect(egressAllows(list, 'v1.api.test')).toBe(true)
    expect(egressAllows(list, 'api.test')).toBe(false)
    expect(egressAllows(list, 'evilapi.test')).toBe(false)
  })
})
