import { describe, expect, it } from 'vitest'
import { randomToken, secretsEqual, sha256Hex } from '../../src/lib/crypto'
import { fromBase64, toBase64, toBase64Url, toHex } from '../../src/lib/encoding'
import { errorMessage } from '../../src/lib/errors'
import { formatBytes, formatDuration, formatTime, truncate } from '../../src/lib/format'

describe('encoding', () => {
  it('round-trips base64, including inputs larger than one chunk', () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => i % 256)
    expect(fromBase64(toBase64(bytes))).toEqual(bytes)
    expect(toBase64(new Uint8Array([251, 255]))).toBe('+/8=')
  })

  it('writes base64url without padding and hex in lowercase pairs', () => {
    expect(toBase64Url(new Uint8Array([251, 255]))).toBe('-_8')
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe('000fff')
  })
})

describe('crypto', () => {
  it('hashes with SHA-256', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('compares secrets of any length', async () => {
    expect(await secretsEqual('a-secret', 'a-secret')).toBe(true)
    expect(await secretsEqual('a-secret', 'a-secreT')).toBe(false)
    expect(await secretsEqual('short', 'a much longer secret')).toBe(false)
  })

  it('makes unguessable tokens of the asked size', () => {
    expect(randomToken(32)).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(randomToken()).not.toBe(randomToken())
  })
})

describe('format', () => {
  it('formats sizes, times and durations for people', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(3 * 1024 * 1024)]).toEqual([
      '512 B',
      '1.5 KiB',
      '3.00 MiB',
    ])
    expect(formatTime('2026-11-30T20:07:16.123Z')).toBe('2026-11-30 20:07:16 UTC')
    expect(formatTime('')).toBe('—')
    expect([formatDuration(15 * 60_000), formatDuration(60_000), formatDuration(90_000)]).toEqual([
      '15 minutes',
      '1 minute',
      '90 seconds',
    ])
  })

  it('truncates with an ellipsis within the limit', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef')
    expect(truncate('abcdefg', 6)).toBe('abcde…')
  })

  it('reads the message of anything thrown', () => {
    expect(errorMessage(new TypeError('bad'))).toBe('bad')
    expect(errorMessage('plain')).toBe('plain')
  })
})
