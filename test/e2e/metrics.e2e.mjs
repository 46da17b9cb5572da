// End-to-end: the metrics chart under `wrangler dev` in a real Chromium. Deploy a worker, call it,
// open its page: the chart (a server-rendered SVG) shows those requests, its description and the
// table per hour say how many, and axe finds nothing serious at desktop and phone widths.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { describeViolations, seriousViolations } from './harness.mjs'
import { browserAndServer } from './suite.mjs'
import { uniqueName } from './flows.mjs'

/** 200 for every path but /fail, which throws. */
const SCRIPT = `export default {
  async fetch(request) {
    if (new URL(request.url).pathname === "/fail") throw new Error("e2e: failing on purpose");
    return new Response("counted");
  },
};`

describe('metrics chart in Chromium', () => {
  const suite = browserAndServer()

  test('shows the requests just made, with their errors, accessibly and without JavaScript', async () => {
    const name = uniqueName('chart')
    const deployed = await fetch(`${suite.server.url}/api/workers/${name}`, { method: 'PUT', body: SCRIPT })
    assert.equal(deployed.status, 201)
    for (const path of ['/', '/a', '/b', '/fail']) {
      const response = await fetch(`${suite.server.url}/user-workers/${name}${path}`)
      await response.arrayBuffer()
      assert.equal(response.status, path === '/fail' ? 500 : 200)
    }

    const api = await (await fetch(`${suite.server.url}/api/workers/${name}/metrics`)).json()
    assert.equal(api.totals.requests, 4)
    assert.equal(api.totals.errors, 1)

    // The chart is drawn by the server: it is there without JavaScript. axe needs JavaScript, so the
    // accessibility checks run in the second pass.
    const cspViolations = []
    for (const javaScriptEnabled of [false, true]) {
      const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 }, javaScriptEnabled })
      context.setDefaultTimeout(15_000)
      context.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
          cspViolations.push(message.text())
        }
      })
      try {
        const page = await context.newPage()
        assert.equal((await page.goto(`${suite.server.url}/workers/${name}`)).status(), 200)
        await checkChart(page)
        if (javaScriptEnabled) await checkAccessible(page)
      } finally {
        await context.close()
      }
    }
    assert.deepEqual(cspViolations, [])
  })
})

/** The chart shows the 4 requests and 1 error: in its description, its bars and its table. */
async function checkChart(page) {
  const chart = page.getByRole('img', { name: 'Requests and errors per minute, last hour (UTC)' })
  await chart.waitFor()
  const description = await page.locator('#metrics-desc').textContent()
  assert.match(description, /^4 requests and 1 error in the last 24 hours; peak 4 requests per minute at \d\d:\d\d UTC/)
  const box = await chart.boundingBox()
  assert.ok(box.width > 600, `the chart should use the page's width, got ${box.width}px`)
  // The bars: one path of requests and one of errors, each with one bar for this minute.
  assert.match(await page.locator('svg path[stroke="#1d4ed8"]').getAttribute('d'), /^M[\d.]+ 140V[\d.]+$/)
  assert.match(await page.locator('svg path[stroke="#a1121a"]').getAttribute('d'), /^M[\d.]+ 140V[\d.]+$/)

  await page.getByText('The numbers, per hour').click()
  const row = page
    .getByRole('table', { name: /Requests and errors per hour/ })
    .getByRole('row')
    .nth(1)
  assert.deepEqual(
    (await row.getByRole('cell').allTextContents()).slice(1),
    ['4', '1'],
    'the table row of this hour: 4 requests, 1 error',
  )
}

/** axe finds nothing serious, and the page does not scroll sideways, at desktop and phone widths. */
async function checkAccessible(page) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 })
    const violations = await seriousViolations(page)
    assert.equal(violations.length, 0, `axe on the worker page at ${width}px:\n${describeViolations(violations)}`)
    assert.equal(
      await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth),
      false,
      `the page scrolls sideways at ${width}px`,
    )
  }
}
