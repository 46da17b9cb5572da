import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser'

/**
 * JSON with comments and trailing commas (wrangler.jsonc, tsconfig.json) → a value. A real
 * tokenizer (Microsoft's jsonc-parser, the one VS Code uses): comments and trailing commas are
 * recognised only between tokens, so text inside strings ("//" in a URL, ",]" in a path) stays as
 * written. Any syntax error is thrown, as JSON.parse would, instead of jsonc-parser's best guess.
 */
export function parseJsonc(text: string): unknown {
  const errors: ParseError[] = []
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false })
  const first = errors[0]
  if (first) {
    const { line, column } = lineAndColumn(text, first.offset)
    throw new SyntaxError(`${printParseErrorCode(first.error)} at line ${line}, column ${column}`)
  }
  return value
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  const lineStart = before.lastIndexOf('\n') + 1
  return { line: before.split('\n').length, column: offset - lineStart + 1 }
}
