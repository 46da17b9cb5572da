// `npm run screenshots`: writes docs/screenshots/<page>-<desktop|mobile>.png of every page of the
// platform, taken in Chromium against a fresh `wrangler dev` (so the empty home page is really empty).
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { helloScript, revealedToken, SYNTAX_ERROR_SCRIPT, THROWING_SCRIPT, uploadWorker } from './flows.mjs'
import { launchBrowser, PLATFORM, startDevServer } from './harness.mjs'

const OUT_DIR = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))

const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 390, height: 844 },
}

/**
 * How to reach each page, in order. Each page is loaded once and shot at both widths, because some
 * pages cannot be loaded twice: a first upload shows its deploy token only once.
 */
const PAGES = {
  'home-empty': (page, base) => page.goto(base),
  worker: (page, base) =>
    uploadWorker(page, base, { name: 'hello-world', script: helloScript('Hello from a user Worker!') }),
  home: async (page, base) => {
    await uploadWorker(page, base, { name: 'always-fails', script: THROWING_SCRIPT })
    await page.goto(base)
  },
  // A worker in a 25 % rollout, both sides' metrics next to each other, its rollout form.
  'worker-rollout': async (page, base) => {
    await uploadWorker(page, base, { name: 'rolling-out', script: helloScript('Version 1') })
    const auth = { Authorization: `Bearer ${await revealedToken(page)}` }
    const api = `${base}/api/workers/rolling-out`
    const candidate = await fetch(`${api}?promote=false`, {
      method: 'PUT',
      headers: auth,
      body: helloScript('Version 2'),
    })
    const deployment = (await candidate.json()).deployments.find((entry) => !entry.current).workerId
    await fetch(`${api}/rollout`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ deployment, percent: 25 }),
    })
    for (let i = 0; i < 40; i++) {
      await (await fetch(`${base}/user-workers/rolling-out/`, { headers: { Cookie: `wfp_visitor=shot-${i}` } })).text()
    }
    await page.goto(`${base}/workers/rolling-out#rollout-heading`)
  },
  upload: (page, base) => page.goto(`${base}/upload`),
  'upload-error': (page, base) => uploadWorker(page, base, { name: 'broken', script: SYNTAX_ERROR_SCRIPT }),
  'not-found': (page, base) => page.goto(`${base}/user-workers/no-such-worker`),
  'worker-error': (page, base) => page.goto(`${base}/user-workers/always-fails`),
  signin: (page, base) => page.goto(`${base}/signin`),
  // Signed up through the form: the account page with its first API token, shown this once.
  account: async (page, base) => {
    await page.goto(`${base}/signup`)
    await page.getByLabel('Account name').fill('Acme Studio')
    await Promise.all([page.waitForURL(`${base}/signup`), page.getByRole('button', { name: 'Create account' }).click()])
    await page.getByRole('heading', { name: 'Save your API token now' }).waitFor()
  },
  'admin-signin': (page, base) => page.goto(`${base}/admin`),
  // Signed in with ADMIN_TOKEN: the workers the pages above deployed, with status, use and budget.
  admin: async (page, base) => {
    await adminSignIn(page, base)
    await page.getByRole('heading', { name: 'Workers', level: 1 }).waitFor()
  },
  'admin-worker': async (page, base) => {
    await adminSignIn(page, base)
    await page.goto(`${base}/admin/workers/hello-world`)
  },
  'admin-accounts': async (page, base) => {
    await adminSignIn(page, base)
    await page.goto(`${base}/admin/accounts`)
  },
}

/** The token the screenshots' server runs with, so the admin page can be shown. */
const ADMIN_TOKEN = 'screenshots-admin-token-0123456789abcdef0123'

async function adminSignIn(page, base) {
  await page.goto(`${base}/admin`)
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN)
  await Promise.all([page.waitForURL(`${base}/admin`), page.getByRole('button', { name: 'Sign in' }).click()])
}

async function shoot(browser, base, name, visit) {
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop })
  try {
    const page = await context.newPage()
    await visit(page, base)
    for (const [kind, viewport] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(viewport)
      const path = `${OUT_DIR}${name}-${kind}.png`
      await page.screenshot({ path, fullPage: true })
      console.log(`wrote ${path}`)
    }
  } finally {
    await context.close()
  }
}

async function main() {
  await mkdir(OUT_DIR, { recursive: true })
  const browser = await launchBrowser()
  const server = await startDevServer({ ...PLATFORM, vars: { ADMIN_TOKEN } })
  try {
    for (const [name, visit] of Object.entries(PAGES)) await shoot(browser, server.url, name, visit)
  } finally {
    await browser.close()
    await server.stop()
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
