import { describe, expect, it } from 'vitest'
import { importedPackages } from '../../builder/src/imports'
import { buildOk, publish, registryRequests, uniquePackage } from './helpers'

const worker = "export default { fetch: () => new Response('ok') }\n"

describe('the packages a single pasted file imports', () => {
  it('reads "import" followed by 250,000 spaces in one linear pass (the regex backtracked for 94 s)', async () => {
    // The reported input, in a comment (so the file still builds) and as code.
    const hostile = `import${' '.repeat(250_000)}x`
    expect(await importedPackages('src/index.ts', `${worker}/*${hostile}*/\n`)).toEqual([])
    expect(await importedPackages('src/index.ts', hostile)).toEqual([])
    const result = await buildOk({ files: { 'src/index.ts': `${worker}/*${hostile}*/\n` } })
    expect(result.dependencies).toEqual({})
  })

  it('ignores import statements inside strings, templates and comments (the Remix report)', async () => {
    const real = uniquePackage('real')
    const decoy = uniquePackage('decoy')
    await publish({ name: real, version: '1.0.0', files: { 'index.js': 'export const word = "real"' } })
    await publish({ name: decoy, version: '19.0.0', files: { 'index.js': 'export const word = "decoy"' } })
    const source = [
      `import { word } from '${real}'`,
      `const script = \`<script type="module">import { hydrateRoot } from "${decoy}/client"</script>\``,
      `const line = "import '${decoy}'"`,
      `// import '${decoy}'`,
      'export default { fetch: () => new Response(word + script + line) }',
    ].join('\n')
    expect(await importedPackages('src/index.ts', source)).toEqual([real])
    const result = await buildOk({ files: { 'src/index.ts': source } })
    expect(result.dependencies).toEqual({ [real]: '1.0.0' })
    expect(await registryRequests(decoy)).toMatchObject({ packument: 0, tarball: 0 })
  })

  it('reads TSX with quotes in JSX text, dynamic imports, and skips type-only imports', async () => {
    const source = [
      "import type { Context } from 'types-only'",
      "import { type Env } from 'also-types-only'",
      "import { Hono } from 'hono'",
      "import 'side-effect/register'",
      "export { thing } from '@scope/re-export/sub'",
      "const lazy = () => import('lazy-pkg')",
      "const Page = (props: { c: Context; e: Env }) => <p>Don't say \"import 'jsx-text'\"</p>",
      "import fs from 'node:fs'",
      "import { env } from 'cloudflare:workers'",
      "import local from './local'",
      'export default { Hono, Page, lazy, fs, env, local }',
    ].join('\n')
    expect((await importedPackages('src/index.tsx', source)).sort()).toEqual([
      '@scope/re-export',
      'hono',
      'lazy-pkg',
      'side-effect',
    ])
  })

  it('leaves a file esbuild cannot parse to the bundle, which names the error', async () => {
    expect(await importedPackages('src/index.ts', 'import { from "x"')).toEqual([])
  })
})
