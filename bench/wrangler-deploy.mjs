// Issue #23: `wrangler deploy --dispatch-namespace` of a project (the pinned wrangler, pointed at the
// platform with CLOUDFLARE_API_BASE_URL) against the same project through the platform's JSON API
// (PUT /api/workers/:name with its files, built by the builder): wall time from the start of the
// command (or request) until the worker first answers with the new body. Both under the same
// account token, each to a name of its own, alternating, `rounds` of each.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from './lib/procs.mjs'
import { uploadOrThrow, waitForBody } from './lib/client.mjs'
import { summarize } from './lib/stats.mjs'

const WRANGLER_BIN = join(ROOT, 'node_modules/wrangler/bin/wrangler.js')

/** The project: a TypeScript Worker with a var and a KV namespace, and one static file. */
function projectFiles(name, body) {
  return {
    'src/index.ts': `export default { async fetch(request: Request, env: { GREETING: string }): Promise<Response> { return new Response(env.GREETING) } }\n`,
    'public/robots.txt': 'User-agent: *\n',
    'wrangler.jsonc': JSON.stringify({
      name,
      main: 'src/index.ts',
      compatibility_date: '2026-11-01',
      vars: { GREETING: body },
      kv_namespaces: [{ binding: 'CACHE', id: 'cache' }],
      assets: { directory: './public' },
    }),
  }
}

async function folderOf(files) {
  const dir = await mkdtemp(join(tmpdir(), 'wfp-bench-wrangler-'))
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  return dir
}

function wranglerDeploy(dir, base, token) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [WRANGLER_BIN, 'deploy', '--dispatch-namespace', 'ns'],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          CLOUDFLARE_API_BASE_URL: `${base}/client/v4`,
          CLOUDFLARE_API_TOKEN: token,
          CLOUDFLARE_ACCOUNT_ID: 'bench',
          WRANGLER_SEND_METRICS: 'false',
          CI: 'true',
        },
      },
      (error, stdout, stderr) => (error ? reject(new Error(`wrangler deploy: ${stdout}${stderr}`)) : resolve()),
    )
  })
}

export async function measureWranglerDeploys(base, { rounds }) {
  const account = await fetch(`${base}/api/accounts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'bench' }),
  })
  const token = (await account.json()).token.value
  const wrangler = []
  const api = []
  for (let round = 0; round < rounds; round++) {
    const body = `round ${round}`
    const viaWrangler = `wr-deploy-${round}`
    const dir = await folderOf(projectFiles(viaWrangler, body))
    try {
      let started = performance.now()
      await wranglerDeploy(dir, base, token)
      await waitForBody(base, viaWrangler, body, 30_000)
      wrangler.push(performance.now() - started)
      const viaApi = `api-deploy-${round}`
      started = performance.now()
      const files = projectFiles(viaApi, body)
      await uploadOrThrow(base, viaApi, JSON.stringify({ files }), token, 'application/json')
      await waitForBody(base, viaApi, body, 30_000)
      api.push(performance.now() - started)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  return { wrangler: summarize(wrangler), api: summarize(api) }
}
