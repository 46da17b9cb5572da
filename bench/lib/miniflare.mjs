// The Miniflare (and so the workerd) that this project's wrangler runs. A plain `import 'miniflare'`
// would get the older copy that @cloudflare/vitest-plugin puts at the top of node_modules.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))))
const fromWrangler = createRequire(join(ROOT, 'node_modules', 'wrangler', 'package.json'))
const miniflarePath = fromWrangler.resolve('miniflare')
const fromMiniflare = createRequire(miniflarePath)

export const { Miniflare, convertV4MiniflareOptions } = fromWrangler('miniflare')

function packageVersion(require, name) {
  const entry = require.resolve(name)
  // Walk up from the package's entry point to its package.json.
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      if (pkg.name === name) return pkg.version
    } catch {}
  }
  return 'unknown'
}

export const versions = {
  miniflare: packageVersion(fromWrangler, 'miniflare'),
  workerd: packageVersion(fromMiniflare, 'workerd'),
}
