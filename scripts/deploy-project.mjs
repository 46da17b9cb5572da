// Deploys a project folder to a running platform through its API, the way a tenant's CLI would:
// one multipart part per file, named by its path relative to the folder (node_modules/ and dot
// files left out). The platform's builder installs the dependencies and builds it.
//
//   node scripts/deploy-project.mjs <folder> <name> [platform URL, default http://localhost:8787]
//   DEPLOY_TOKEN=dt_… node scripts/deploy-project.mjs …   (to update a worker you own)
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

const [folder, name, base = 'http://localhost:8787'] = process.argv.slice(2)
if (!folder || !name) {
  console.error('usage: node scripts/deploy-project.mjs <folder> <name> [platform URL]')
  process.exit(2)
}

// platform.json (optional): the worker's settings for this deploy, e.g. { "storage": { "sql": true } }.
const SETTINGS_FILE = 'platform.json'
const form = new FormData()
for (const path of await files(folder)) {
  if (relative(folder, path) === SETTINGS_FILE) {
    form.append('settings', await readFile(path, 'utf8'))
    continue
  }
  const relativePath = relative(folder, path).split(sep).join('/')
  form.append('file', new Blob([await readFile(path)]), relativePath)
}
const headers = process.env.DEPLOY_TOKEN ? { Authorization: `Bearer ${process.env.DEPLOY_TOKEN}` } : {}
const response = await fetch(new URL(`/api/workers/${encodeURIComponent(name)}`, base), {
  method: 'PUT',
  headers,
  body: form,
})
const body = await response.json()
if (!response.ok) {
  console.error(`${response.status}: ${body.error?.message ?? JSON.stringify(body)}`)
  process.exit(1)
}
console.log(`${response.status} ${body.url}`)
if (body.token) console.log(`deploy token (shown once, keep it): ${body.token}`)
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
