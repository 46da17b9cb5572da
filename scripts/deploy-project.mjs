// Deploys a project folder to a running platform through its API, the way a tenant's CLI would:
// one multipart part per file, named by its path relative to the folder (node_modules/ and dot
// files left out). The platform's builder installs the dependencies and builds it.
//
//   node scripts/deploy-project.mjs <folder> <name> [--url <platform URL>] [--token <token>]
//
// The platform: --url, else $PLATFORM_URL, else http://localhost:8787 (`npm run dev`); a third
// argument still works as the URL. The token, to update a worker you own: --token, else
// $PLATFORM_TOKEN, else $DEPLOY_TOKEN (its earlier name). A first upload needs none and prints one.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { parseArgs } from 'node:util'

const USAGE = 'usage: node scripts/deploy-project.mjs <folder> <name> [--url <platform URL>] [--token <token>]'
const DEFAULT_URL = 'http://localhost:8787'

let parsed
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { url: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  })
} catch (error) {
  fail(`${error.message}\n${USAGE}`, 2)
}
const { values, positionals } = parsed
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
const [folder, name, urlArgument] = positionals
if (!folder || !name || positionals.length > 3) fail(USAGE, 2)
const base = values.url || urlArgument || process.env.PLATFORM_URL || DEFAULT_URL
const token = values.token || process.env.PLATFORM_TOKEN || process.env.DEPLOY_TOKEN
let endpoint
try {
  endpoint = new URL(`/api/workers/${encodeURIComponent(name)}`, base)
} catch {
  fail(`"${base}" is not a URL: give the platform's, e.g. --url ${DEFAULT_URL}`, 2)
}

// platform.json (optional): the worker's settings for this deploy, e.g. { "storage": { "sql": true } }.
const SETTINGS_FILE = 'platform.json'
const form = new FormData()
let paths
try {
  paths = await files(folder)
} catch (error) {
  fail(`Cannot read the folder ${folder}: ${error.code === 'ENOENT' ? 'it does not exist' : error.message}`)
}
for (const path of paths) {
  if (relative(folder, path) === SETTINGS_FILE) {
    form.append('settings', await readFile(path, 'utf8'))
    continue
  }
  const relativePath = relative(folder, path).split(sep).join('/')
  form.append('file', new Blob([await readFile(path)]), relativePath)
}

let response
try {
  response = await fetch(endpoint, {
    method: 'PUT',
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    body: form,
  })
} catch (error) {
  // fetch() says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) is its cause.
  const reason = error.cause?.code ?? error.cause?.message ?? error.message
  fail(
    `No platform answers at ${endpoint.origin} (${reason}): start it with \`npm run dev\`, or give its URL with --url.`,
  )
}
const text = await response.text()
let body
try {
  body = JSON.parse(text)
} catch {
  fail(
    `${response.status}: ${endpoint.origin} answered with something other than the platform's JSON API: ${text.slice(0, 200)}`,
  )
}
if (!response.ok) fail(`${response.status}: ${body.error?.message ?? JSON.stringify(body)}`)

console.log(`${response.status} ${body.siteUrl ?? body.url}${body.siteUrl ? ` (also ${body.url})` : ''}`)
if (body.token)
  console.log(`deploy token (shown once, keep it; updates need it as --token or PLATFORM_TOKEN): ${body.token}`)
console.log(
  `dependencies: ${
    Object.entries(body.build?.dependencies ?? {})
      .map(([n, v]) => `${n}@${v}`)
      .join(', ') || 'none'
  }`,
)

async function files(directory) {
  const found = []
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue
    const path = join(directory, entry.name)
    if (entry.isDirectory()) found.push(...(await files(path)))
    else if (entry.isFile()) found.push(path)
  }
  return found.sort()
}

/** One line on stderr, no stack: what went wrong and what to do. */
function fail(message, code = 1) {
  console.error(message)
  process.exit(code)
}
