import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../src/core/config'
import { assertDeployableName, DEFAULT_RESERVED_NAMES, isValidName } from '../../src/core/names'

describe('worker names', () => {
  it.each(['a', 'hello', 'my-worker-2', '0x', 'a'.repeat(63), 'a-b-c'])('accepts %s', (name) => {
    expect(isValidName(name)).toBe(true)
  })

  it.each([
    '',
    'Hello',
    '-lead',
    'trail-',
    'double--hyphen',
    'under_score',
    'dot.ted',
    '..',
    'a/b',
    'a%2fb',
    'spa ce',
    'a'.repeat(64),
    'hеllo', // Cyrillic "е"
    'ｈello', // full-width "h"
  ])('rejects %j', (name) => {
    expect(isValidName(name)).toBe(false)
  })
})

describe('reserved names', () => {
  it('the default list is in force without RESERVED_NAMES, and every entry is a valid name', () => {
    const { reservedNames } = parseConfig({})
    expect([...reservedNames]).toEqual(DEFAULT_RESERVED_NAMES)
    for (const name of ['www', 'api', 'admin']) expect(reservedNames.has(name)).toBe(true)
    for (const name of DEFAULT_RESERVED_NAMES) expect(isValidName(name)).toBe(true)
  })

  it('RESERVED_NAMES replaces the default list; a lone comma reserves none', () => {
    expect([...parseConfig({ RESERVED_NAMES: ' Shop, blog ' }).reservedNames]).toEqual(['shop', 'blog'])
    expect(parseConfig({ RESERVED_NAMES: ',' }).reservedNames.size).toBe(0)
  })

  it('RESERVED_NAMES with an invalid name is a configuration error naming it', () => {
    expect(() => parseConfig({ RESERVED_NAMES: 'www, a.b' })).toThrow(ConfigError)
    expect(() => parseConfig({ RESERVED_NAMES: 'www, a.b' })).toThrow('"a.b" is not one')
  })

  it('refuses a reserved name for a deploy, saying it is reserved (400 invalid_name)', () => {
    const reserved = new Set(['www'])
    expect(assertDeployableName('shop', reserved)).toBe('shop')
    expect(() => assertDeployableName('www', reserved)).toThrow(
      expect.objectContaining({
        code: 'invalid_name',
        message: expect.stringContaining('"www" is reserved') as unknown,
      }),
    )
    expect(() => assertDeployableName('Www', reserved)).toThrow('not a valid worker name')
  })
})
