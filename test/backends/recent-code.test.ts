import { describe, expect, it } from 'vitest'
import type { StoredCode } from '../../src/backends/code-store'
import { RecentCode } from '../../src/backends/recent-code'

const code = (name: string): StoredCode => ({
  name,
  bundle: { mainModule: 'worker.js', modules: [{ name: 'worker.js', type: 'esm', content: `// ${name}` }] },
})

function clock(start = 0) {
  let now = start
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

describe('recent code (what an isolate just stored)', () => {
  it('gives back what it kept, until the time bound', () => {
    const time = clock()
    const recent = new RecentCode(1_000, 60_000, time.now)
    recent.keep('w-a', code('a'), 100)
    expect(recent.get('w-a')).toEqual(code('a'))
    time.advance(59_999)
    expect(recent.get('w-a')).toEqual(code('a'))
    time.advance(1)
    expect(recent.get('w-a')).toBeUndefined()
    expect(recent.get('w-unknown')).toBeUndefined()
  })

  it('stays within its byte budget: the oldest entries make room, and an entry over it is not kept', () => {
    const recent = new RecentCode(1_000, 60_000, clock().now)
    recent.keep('w-a', code('a'), 400)
    recent.keep('w-b', code('b'), 400)
    recent.keep('w-c', code('c'), 400)
    expect([recent.get('w-a'), recent.get('w-b'), recent.get('w-c')].map((entry) => entry?.name)).toEqual([
      undefined,
      'b',
      'c',
    ])
    recent.keep('w-huge', code('huge'), 1_001)
    expect(recent.get('w-huge')).toBeUndefined()
    // Keeping the same ID again replaces it rather than counting it twice.
    recent.keep('w-c', code('c'), 400)
    recent.keep('w-d', code('d'), 200)
    expect([recent.get('w-b'), recent.get('w-c'), recent.get('w-d')].map((entry) => entry?.name)).toEqual([
      'b',
      'c',
      'd',
    ])
  })

  it('expired entries give their bytes back before newer ones are dropped', () => {
    const time = clock()
    const recent = new RecentCode(1_000, 60_000, time.now)
    recent.keep('w-old', code('old'), 600)
    time.advance(60_000)
    recent.keep('w-new', code('new'), 600)
    expect(recent.get('w-new')?.name).toBe('new')
  })

  it('forgets a dropped Worker ID at once', () => {
    const recent = new RecentCode(1_000, 60_000, clock().now)
    recent.keep('w-a', code('a'), 100)
    recent.drop('w-a')
    recent.drop('w-a')
    expect(recent.get('w-a')).toBeUndefined()
  })
})
