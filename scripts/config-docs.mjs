// `npm run docs:config`: writes the settings table of docs/configuration.md from
// src/core/config-docs.ts (CONFIG_DOCS, and the defaults in src/core/config.ts), between the page's
// config-table markers; the rest of the page is written by hand.
// `npm run docs:config -- --check` (CI, .ci/run): writes nothing, exits 1 when the page differs.
// The TypeScript is bundled in memory by esbuild (a dev dependency) and imported from a data: URL.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const SOURCE = join(ROOT, 'src', 'core', 'config-docs.ts')
const PAGE = join(ROOT, 'docs', 'configuration.md')

const args = process.argv.slice(2)
const unknown = args.filter((arg) => arg !== '--check')
if (unknown.length) {
  console.error(`usage: npm run docs:config [-- --check]; unknown: ${unknown.join(' ')}`)
  process.exit(2)
}
const check = args.includes('--check')

const bundled = await build({
  entryPoints: [SOURCE],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  logLevel: 'error',
})
const code = bundled.outputFiles[0].text
/** @type {{ withConfigTable: (page: string) => string }} */
const docs = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)

const page = readFileSync(PAGE, 'utf8')
const expected = docs.withConfigTable(page)
const name = relative(ROOT, PAGE)

if (!check) {
  if (expected === page) console.log(`${name} is up to date.`)
  else {
    writeFileSync(PAGE, expected)
    console.log(`${name}: settings table written from ${relative(ROOT, SOURCE)}.`)
  }
} else if (expected !== page) {
  const [want, have] = [expected.split('\n'), page.split('\n')]
  const line = want.findIndex((text, i) => text !== have[i])
  console.error(
    `${name} is out of date: its settings table is generated from ${relative(ROOT, SOURCE)} (CONFIG_DOCS and the defaults in src/core/config.ts).
First difference, line ${line + 1}:
  in the page: ${have[line] ?? '(end of file)'}
  generated:   ${want[line] ?? '(end of file)'}
Run \`npm run docs:config\` and commit the page (edit the table's text in ${relative(ROOT, SOURCE)}, not in the page).`,
  )
  process.exit(1)
} else console.log(`${name}: the settings table matches ${relative(ROOT, SOURCE)}.`)
