import { describe, expect, it } from 'vitest'
import { decodeStoredCode, encodeStoredCode, type StoredCode } from '../../src/backends/code-store'
import { encodeText } from '../../src/lib/encoding'

const bundle = {
  mainModule: 'main.js',
  modules: [
    {
      name: 'main.js',
      type: 'esm' as const,
      content: 'import t from "./t.txt"\nexport default { fetch: () => new Response(t) }',
    },
    { name: 't.txt', type: 'text' as const, content: 'héllo "quoted" \\ ✓ 🙂' },
    { name: 'empty.json', type: 'json' as const, content: '' },
    { name: 'm.wasm', type: 'wasm' as const, content: 'AGFzbQEAAAA=' },
  ],
}

const buffer = (bytes: Uint8Array) => bytes.slice().buffer

describe('stored code (dynamic-workers)', () => {
  it.each<StoredCode['secrets']>([undefined, null, { encrypted: true, iv: 'aXY=', data: 'c2VhbGVk' }])(
    'round-trips name, modules in order and secrets %j',
    (secrets) => {
      const stored: StoredCode = secrets === undefined ? { name: 'n', bundle } : { name: 'n', bundle, secrets }
      expect(decodeStoredCode(buffer(encodeStoredCode(stored)))).toEqual(stored)
    },
  )

  it('keeps module sources out of the header, so loading parses no large JSON', () => {
    const framed = encodeStoredCode({ name: 'n', bundle })
    const text = new TextDecoder().decode(framed)
    // The source follows the header verbatim, unescaped.
    expect(text).toContain(bundle.modules[1]!.content)
    expect(text).not.toContain(JSON.stringify(bundle.modules[1]!.content))
  })

  it('still reads the JSON document deployments were stored as before (secrets then live in the name’s object)', () => {
    const legacy = encodeText(JSON.stringify({ name: 'old', ...bundle }))
    expect(decodeStoredCode(buffer(legacy))).toEqual({ name: 'old', bundle })
  })

  it('refuses a value in neither format', () => {
    expect(() => decodeStoredCode(buffer(encodeText('garbage')))).toThrow('unknown format')
  })
})
