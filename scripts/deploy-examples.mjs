// `npm run deploy:example`: deploys both example projects to a running platform, each the way its
// kind of project is deployed here —
//   examples/hono-app     as files through the platform's API (scripts/deploy-project.mjs): the
//                         platform's builder installs and bundles it;
//   examples/vite-react   built by its own `npm run build` (tsc, then `vite build` with
//                         @cloudflare/vite-plugin), then deployed by
//                         the pinned `wrangler deploy --dispatch-namespace` pointed at the platform
//                         (docs/wrangler.md).
//
//   node scripts/deploy-examples.mjs [--url <platform URL>] [--token <API token>]
//
// The platform: --url, else $PLATFORM_URL, else http://localhost:8787 (`npm run dev`). wrangler needs
// a token: --token, else $PLATFORM_TOKEN; without one, an account "examples" is created and its API
// token printed once (keep it: both examples update with it).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const VITE_EXAMPLE = join(ROOT, 'examples/vite-react')
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js')
const DEFAULT_URL = 'http://localhost:8787'

const { values } = parseArgs({ options: { url: { type: 'string' }, token: { type: 'string' } } })
const base = (values.url || process.env.PLATFORM_URL || DEFAULT_URL).replace(/\/+$/, '')
const token = values.token || process.env.PLATFORM_TOKEN || (await newAccountToken())

run('examples/hono-app (files through the API)', process.execPath, [
  join(ROOT, 'scripts/deploy-project.mjs'),
  join(ROOT, 'examples/hono-app'),
  'hono-app',
  '--url',
  base,
  '--token',
  token,
])

// Its own dependencies (vite, React, the Cloudflare plugin, TypeScript), installed once; then its own build.
if (!existsSync(join(VITE_EXAMPLE, 'node_modules'))) {
  run('examples/vite-react: npm install', 'npm', ['install', '--no-audit', '--no-fund'], { cwd: VITE_EXAMPLE })
}
run('examples/vite-react: npm run build (tsc, vite build)', 'npm', ['run', 'build'], { cwd: VITE_EXAMPLE })
run(
  'examples/vite-react: wrangler deploy',
  process.execPath,
  [WRANGLER, 'deploy', '--dispatch-namespace', 'examples'],
  {
    cwd: VITE_EXAMPLE,
    env: {
      ...process.env,
      CLOUDFLARE_API_BASE_URL: `${base}/client/v4`,
      CLOUDFLARE_API_TOKEN: token,
      // Whatever the account and namespace, the platform's own are meant.
      CLOUDFLARE_ACCOUNT_ID: 'examples',
      WRANGLER_SEND_METRICS: 'false',
    },
  },
)
// Where it answers: its own origin (a single-page app needs one; docs/security.md), as the API says.
const worker = await (await fetch(`${base}/api/workers/vite-react-example`)).json().catch(() => ({}))
console.log(`\nvite-react-example: ${worker.siteUrl ?? `${base}/user-workers/vite-react-example/`}`)

/** A new account's API token (the platform allows sign-up), printed once. */
async function newAccountToken() {
  let response
  try {
    response = await fetch(`${base}/api/accounts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'examples' }),
    })
  } catch (error) {
    fail(
      `No platform answers at ${base} (${error.cause?.code ?? error.message}): start it with \`npm run dev\`, or give its URL with --url.`,
    )
  }
  const body = await response.json().catch(() => ({}))
  if (!response.ok || !body.token?.value) {
    fail(
      `${response.status}: ${body.error?.message ?? 'no account was created'}. Give an API token with --token or PLATFORM_TOKEN.`,
    )
  }
  console.log(
    `API token of the new account "examples" (shown once; updates need it as --token or PLATFORM_TOKEN): ${body.token.value}\n`,
  )
  return body.token.value
}

function run(what, command, args, options = {}) {
  console.log(`── ${what}`)
  try {
    execFileSync(command, args, { stdio: 'inherit', ...options })
  } catch (error) {
    fail(`${what} failed (${error.status === undefined ? error.message : `exit ${error.status}`}).`)
  }
}

/** One line on stderr, no stack: what went wrong and what to do. */
function fail(message) {
  console.error(message)
  process.exit(1)
}
