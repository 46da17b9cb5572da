import { describe, expect, it } from 'vitest'
import { isValidName } from '../../src/platform/names'

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
