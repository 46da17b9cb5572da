// Shared by the e2e suite and the screenshot script: a real `wrangler dev` server, a real Chromium
// and axe-core. Nothing here is downloaded: Chromium comes from Debian's package, axe from npm.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WRANGLER_BIN = join(ROOT, 'node_modules/wrangler/bin/wrangler.js')
const AXE_PATH = join(ROOT, 'node_modules/axe-core/axe.min.js')
let axeSource

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const SERVER_START_TIMEOUT_MS = 60_000

/** A port the OS just handed out, so parallel runs (or a running `npm run dev`) never collide. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** The platform as `npm run dev` runs it: both Workers, the platform and the builder it calls for projects. */
export const PLATFORM = { cwd: ROOT, configs: ['-c', 'wrangler.jsonc', '-c', 'builder/wrangler.jsonc'] }

/**
 * Starts `wrangler dev` (of the platform, or of the project in `cwd` by its own config, with `vars`) with its own
 * state directory (so every run starts with no workers) and resolves once it answers HTTP. `stop()`
 * ends wrangler and workerd and removes the directory.
 */
export async function startDevServer({ cwd, configs, vars = {} } = PLATFORM) {
  const port = await freePort()
  const stateDir = await mkdtemp(join(tmpdir(), 'wfp-e2e-'))
  // Run wrangler on this same Node (24 from node_modules/.bin under npm), in its own process
  // group so stop() can end workerd too without touching any other process.
  const child = spawn(
    process.execPath,
    [
      WRANGLER_BIN,
      'dev',
      ...configs,
      '--port',
      String(port),
      '--ip',
      '127.0.0.1',
      '--persist-to',
      stateDir,
      '--log-level',
      'warn',
      // Settings a suite needs (e.g. ADMIN_TOKEN), as `wrangler dev --var NAME:value`.
      ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    ],
    {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' },
    },
  )
  let output = ''
  const collect = (chunk) => {
    output = (output + chunk).slice(-20_000)
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))

  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal)
    } catch {
      // Already gone.
    }
  }
  // If the test process dies without running stop(), do not leave workerd behind.
  const onExit = () => killGroup('SIGKILL')
  process.once('exit', onExit)

  const stop = async () => {
    process.removeListener('exit', onExit)
    if (child.exitCode === null && child.signalCode === null) {
      killGroup('SIGTERM')
      const timer = setTimeout(() => killGroup('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    }
    await rm(stateDir, { recursive: true, force: true })
  }

  const url = `http://127.0.0.1:${port}`
  try {
    await waitUntilAnswering(url, exited, () => output)
  } catch (error) {
    await stop()
    throw error
  }
  return { url, stop, output: () => output }
}

async function waitUntilAnswering(url, exited, output) {
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS
  let exit
  exited.then((value) => (exit = value))
  while (Date.now() < deadline) {
    if (exit) throw new Error(`wrangler dev exited early (${exit.code ?? exit.signal}):\n${output()}`)
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) })
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  throw new Error(`wrangler dev did not answer on ${url} within ${SERVER_START_TIMEOUT_MS / 1000} s:\n${output()}`)
}

/** Launches the system Chromium; a missing browser is an error, never a reason to skip. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. The e2e tests need a real browser: ` +
        'run `apt-get update && apt-get install -y chromium`, or set CHROMIUM_PATH to one.',
    )
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // No sandbox: CI runs as root. The rest keeps Chromium from reaching out to the network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  })
}

/** Runs axe-core on the page and returns only the violations that block people (serious, critical). */
export async function seriousViolations(page) {
  // Evaluated through the DevTools protocol, not added as a <script>: the platform's CSP
  // (script-src 'self') rightly blocks inline scripts, and the pages are tested under it.
  if (await page.evaluate(() => typeof window.axe === 'undefined')) {
    axeSource ??= await readFile(AXE_PATH, 'utf8')
    await page.evaluate(axeSource)
  }
  const results = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }),
  )
  return results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
}

/** A readable list of violations for an assertion message. */
export function describeViolations(violations) {
  return violations
    .map(
      (v) =>
        `- [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary}`).join('\n')}`,
    )
    .join('\n')
}

// Desktop and phone widths: some problems (a region that scrolls sideways) exist only on narrow screens.
const A11Y_WIDTHS = [1280, 390]

/** Fails when axe finds serious or critical problems on the page, at desktop and phone widths. */
export async function assertAccessible(page, label) {
  const original = page.viewportSize()
  try {
    for (const width of A11Y_WIDTHS) {
      await page.setViewportSize({ width, height: 800 })
      const violations = await seriousViolations(page)
      assert.equal(
        violations.length,
        0,
        `axe found serious/critical problems on ${label} at ${width}px:\n${describeViolations(violations)}`,
      )
    }
  } finally {
    await page.setViewportSize(original)
  }
}

/**
 * A fresh browser context that records what the platform's CSP blocks: the pages run under a
 * strict policy, so anything it blocks is a bug in the pages (assert the list is empty at the end).
 */
export async function newCheckedContext(browser, timeoutMs = 15_000) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  context.setDefaultTimeout(timeoutMs)
  const cspViolations = []
  context.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      cspViolations.push(`${message.page()?.url()}: ${message.text()}`)
    }
  })
  return { context, cspViolations }
}
