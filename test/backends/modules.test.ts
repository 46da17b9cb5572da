import { describe, expect, it } from 'vitest'
import { toBase64 } from '../../src/lib/encoding'
import { fromApiPart, toApiPart } from '../../src/backends/modules'
import type { BundleModule } from '../../src/core/model'

const bytes = (content: string | Uint8Array) =>
  typeof content === 'string' ? new TextEncoder().encode(content) : content

describe('modules as Cloudflare API parts', () => {
  it.each<BundleModule>([
    { name: 'main.mjs', type: 'esm', content: 'export default {}' },
    { name: 'worker.js', type: 'service-worker', content: 'addEventListener("fetch", () => {})' },
    { name: 'note.txt', type: 'text', content: 'hi' },
    { name: 'data.json', type: 'json', content: '{"quote": "\\"", "line": "a\\u2028b", "nested": [1, {"x": null}]}' },
    { name: 'add.wasm', type: 'wasm', content: toBase64(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])) },
  ])('$type goes up with an accepted content type and comes back as uploaded', (module) => {
    const part = toApiPart(module)
    expect(part.type).not.toBe('application/json')
    expect(fromApiPart(module.name, part.type, bytes(part.content))).toEqual(module)
  })

  it('sends JSON as an ES module that exports the parsed value', () => {
    const part = toApiPart({ name: 'd.json', type: 'json', content: '{"a": [1, 2]}' })
    expect(part.type).toBe('application/javascript+module')
    expect(part.content).toBe('export default JSON.parse("{\\"a\\": [1, 2]}");\n')
  })
})
