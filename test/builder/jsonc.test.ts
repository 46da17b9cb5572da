import { describe, expect, it } from 'vitest'
import { parseJsonc } from '../../builder/src/jsonc'
import { buildOk } from './helpers'

describe('wrangler.jsonc and tsconfig.json', () => {
  it('leaves comment and trailing-comma look-alikes inside strings as written', () => {
    expect(parseJsonc('{"main":"src/a,]b.js",}')).toEqual({ main: 'src/a,]b.js' })
    expect(parseJsonc('{"a": "x, }", "b": "/* not a comment */", "c": "// nor this", }')).toEqual({
      a: 'x, }',
      b: '/* not a comment */',
      c: '// nor this',
    })
    expect(parseJsonc('{"escaped": "quote \\", ] still inside",}')).toEqual({ escaped: 'quote ", ] still inside' })
  })

  it('still drops comments and trailing commas between tokens', () => {
    expect(parseJsonc('{\n // c\n "url": "https://x.test/a", /* b */ "list": [1, 2,],\n}')).toEqual({
      url: 'https://x.test/a',
      list: [1, 2],
    })
  })

  it('throws on invalid input instead of guessing', () => {
    expect(() => parseJsonc('{"a": }')).toThrow(/ValueExpected at line 1/)
    expect(() => parseJsonc('{"a": 1')).toThrow(/CloseBraceExpected/)
    expect(() => parseJsonc('{"a": "unterminated')).toThrow()
  })

  it('builds the entry wrangler.jsonc names, even with ",]" in its path', async () => {
    const result = await buildOk({
      files: {
        'wrangler.jsonc': '{"main":"src/a,]b.js",}',
        'src/a,]b.js': "export default { fetch: () => new Response('a,]b') }\n",
        'src/ab.js': "export default { fetch: () => new Response('wrong file') }\n",
        'src/a]b.js': "export default { fetch: () => new Response('wrong file') }\n",
      },
    })
    expect(result.worker?.modules.map((module) => module.content).join('\n')).toContain('a,]b')
    expect(result.worker?.modules.map((module) => module.content).join('\n')).not.toContain('wrong file')
  })
})
