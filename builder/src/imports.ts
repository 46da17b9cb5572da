import { parse as lexImports } from 'es-module-lexer/js'
import { toJavaScript } from './esbuild'

/**
 * The npm packages a script imports (statically, or by import() of a string literal), by a real
 * parser: esbuild turns TypeScript/JSX into JavaScript, es-module-lexer reads its imports. Both are
 * linear in the input, whose size readSource has already capped. Text that only looks like an import
 * (in a string, a template, a comment) does not count, nor do type-only imports.
 */
export async function importedPackages(path: string, source: string): Promise<string[]> {
  const code = await toJavaScript(path, source)
  if (code === undefined) return []
  let imports: ReturnType<typeof lexImports>[0]
  try {
    ;[imports] = lexImports(code, path)
  } catch {
    return []
  }
  const names = new Set<string>()
  for (const { n: specifier } of imports) {
    if (specifier === undefined || !isBare(specifier)) continue
    names.add(packageName(specifier))
  }
  return [...names]
}

/** "hono/jsx" and "@scope/pkg/x", not "./a", "/a", "node:fs" or "https://…". */
function isBare(specifier: string): boolean {
  return specifier !== '' && !/^[./]/.test(specifier) && !/^[a-z][a-z0-9+.-]*:/i.test(specifier)
}

export function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/')
}
