// End-to-end: a worker's logs in a real Chromium against `wrangler dev` (npm run test:e2e).
// Upload → request → the logs show the line; a later request's line arrives live, without a reload.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { clickAndWait, revealedToken, uniqueName, uploadWorker } from './flows.mjs'
import { assertAccessible } from './harness.mjs'
import { browserAndServer } from './suite.mjs'

const LOGGING_SCRIPT = `export default {
  async fetch(request) {
    console.log("served", new URL(request.url).pathname);
    return new Response("ok");
  },
};
`

/** Calls the worker from outside the page and reads the answer (its invocation ends only then). */
async function call(server, name, path) {
  const response = await fetch(`${server.url}/user-workers/${name}${path}`)
  assert.equal(await response.text(), 'ok')
}

/** Deploys through the form and returns the deploy token the page shows once. */
async function deploy(page, server, name) {
  const response = await uploadWorker(page, server.url, { name, script: LOGGING_SCRIPT })
  assert.equal(response.status(), 200)
  return revealedToken(page)
}

const logsForm = (page) => page.getByRole('form', { name: 'Recent logs' })

describe('Logs in Chromium', () => {
  const suite = browserAndServer()

  test('upload, request, show logs: the line is there, and a new one appears live', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } })
    context.setDefaultTimeout(20_000)
    const requested = []
    const blocked = []
    context.on('request', (request) => requested.push(request.url()))
    context.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) blocked.push(message.text())
    })
    try {
      const page = await context.newPage()
      const name = uniqueName('logs')
      const token = await deploy(page, suite.server, name)
      // Right after the deploy, with nobody having read the logs yet.
      await call(suite.server, name, '/first')

      await logsForm(page).getByLabel('Deploy token').fill(token)
      await page.evaluate(() => (window.sameDocument = true))
      await logsForm(page).getByRole('button', { name: 'Show logs' }).click()
      const lines = page.locator('#log-lines')
      await lines.filter({ hasText: 'served /first' }).waitFor()
      await page.locator('#log-follow-status').filter({ hasText: 'Following live' }).waitFor()
      assert.match(await lines.textContent(), /\[v1\] served \/first/)
      assert.match(await page.locator('#log-capture').textContent(), /^Capture is on until \d{4}-/)

      await call(suite.server, name, '/second')
      await lines.filter({ hasText: 'served /second' }).waitFor()
      assert.equal(await page.evaluate(() => window.sameDocument), true, 'the page was reloaded')
      await assertAccessible(page, 'the worker page following its logs')

      await page.getByRole('button', { name: 'Stop following' }).click()
      await page.locator('#log-follow-status').filter({ hasText: 'Stopped following' }).waitFor()
      // The token went in a header only: no URL the browser asked for carries it.
      assert.deepEqual(
        requested.filter((url) => url.includes(token)),
        [],
      )
      assert.deepEqual(blocked, [], 'the browser blocked something under the CSP')
    } finally {
      await context.close()
    }
  })

  test('without JavaScript, Show logs lists the lines and Refresh shows new ones', async () => {
    const context = await suite.browser.newContext({ javaScriptEnabled: false })
    context.setDefaultTimeout(20_000)
    try {
      const page = await context.newPage()
      const name = uniqueName('logs-nojs')
      const token = await deploy(page, suite.server, name)
      await call(suite.server, name, '/first')
      // Tail events are stored just after the response: refresh until the line is there.
      let text = ''
      for (let attempt = 0; attempt < 20 && !text.includes('served /first'); attempt++) {
        await logsForm(page).getByLabel('Deploy token').fill(token)
        const button = logsForm(page).getByRole('button', { name: /^(Show|Refresh) logs$/ })
        assert.equal((await clickAndWait(page, button)).status(), 200)
        text = (await page.locator('#log-lines').count()) > 0 ? await page.locator('#log-lines').textContent() : ''
      }
      assert.match(text, /\[v1\] served \/first/)
      // No script, no live follow: the page says how to see more (axe needs JavaScript, so it runs above).
      assert.equal(await page.getByRole('button', { name: 'Stop following' }).count(), 0)
      assert.equal(await page.getByRole('button', { name: 'Refresh logs' }).count(), 1)
    } finally {
      await context.close()
    }
  })
})
