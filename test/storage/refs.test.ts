import { describe, expect, it } from 'vitest'
import { assertStorageRef } from '../../src/storage/refs'

// The props a storage entrypoint (TenantKV, TenantSQL) is bound with: the platform sets them, and
// the entrypoint parses them before it touches anyone's data.

describe('a storage binding’s props', () => {
  it('are a name and an owner, and nothing else is kept', () => {
    expect(assertStorageRef({ name: 'hello', ownerId: 'o-1', extra: 1 })).toEqual({ name: 'hello', ownerId: 'o-1' })
  })

  it.each([
    undefined,
    null,
    'hello',
    {},
    { name: 'hello' },
    { name: 'hello', ownerId: 5 },
    { name: 'a/b', ownerId: 'o-1' },
    { name: 'hello', ownerId: 'o/1' },
  ])('refuse %o: the binding is not configured for a worker', (props) => {
    expect(() => assertStorageRef(props)).toThrow('This storage binding is not configured for a worker.')
  })
})
