// End-to-end: cron schedules in Chromium against a real `wrangler dev` — the upload form's crons,
// "Run now" on the worker page, the run in the list and its output in the logs; and the name's
// Durable Object alarm running scheduled() on its own within about a minute.
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import { clickAndWait, codeField, nameField, revealedToken, submitUpload, uniqueName } from './flows.mjs'
import { assertAccessible } from './harness.mjs'
import { browserAndServer, pagePerTest } from './suite.mjs'

const SCHEDULED_SCRIPT = `export default {
  async fetch() {
    return new Response("cron worker");
  },
  async scheduled(controller) {
    console.log("e2e scheduled ran for", controller.cron);
  },
};
`

describe('cron schedules in Chromium', () => {
  const suite = browserAndServer()
  const current = pagePerTest(suite)
  // This test's page (pagePerTest opens it in its beforeEach, which runs first).
  let page
  beforeEach(() => ({ page } = current))

  /** Uploads the scheduled worker through the form with these crons; returns its deploy token. */
  async function uploadWithCrons(name, crons) {
    await page.goto(`${suite.server.url}/upload`)
    await nameField(page).fill(name)
    await codeField(page).fill(SCHEDULED_SCRIPT)
    await page.locator('details.settings > summary').click()
    await page.getByLabel(/^Cron schedules/).fill(crons)
    const response = await submitUpload(page)
    assert.equal(response.status(), 200)
    return revealedToken(page)
  }

  test('upload with a cron, Run now on the worker page, the run is listed and its output is in the logs', async () => {
    const name = uniqueName('cron')
    const token = await uploadWithCrons(name, '0 0 1 1 *')

    const schedule = page.getByRole('region', { name: 'Schedule' })
    assert.match(await schedule.innerText(), /0 0 1 1 \*/)
    assert.match(await schedule.innerText(), /No runs yet\./)
    await assertAccessible(page, 'the worker page with a schedule')

    const form = page.getByRole('form', { name: 'Schedule' })
    await form.getByLabel('Deploy token').fill(token)
    const ran = await clickAndWait(page, form.getByRole('button', { name: 'Run now' }))
    assert.equal(ran.status(), 200)
    assert.match(await page.getByRole('status').first().innerText(), /Ran now: ok\./)
    const row = schedule.getByRole('listitem').filter({ hasText: '(run now)' })
    assert.match(await row.innerText(), /0 0 1 1 \*\s+ok/)
    await assertAccessible(page, 'the worker page after Run now')

    // The run's console output reaches the owner's logs (the tail delivers it just after the run);
    // with JavaScript, Show logs follows them live on the page, without a reload.
    const logsForm = page.getByRole('form', { name: 'Recent logs' })
    await logsForm.getByLabel('Deploy token').fill(token)
    await logsForm.getByRole('button', { name: 'Show logs' }).click()
    const lines = page.locator('#log-lines')
    await lines.filter({ hasText: 'e2e scheduled ran' }).waitFor()
    assert.match(await lines.innerText(), /e2e scheduled ran for 0 0 1 1 \*/)
  })

  test('the name’s alarm runs "* * * * *" by itself within 70 s', async () => {
    const name = uniqueName('cron-alarm')
    await uploadWithCrons(name, '* * * * *')
    const deadline = Date.now() + 75_000
    let runs = []
    while (Date.now() < deadline && !runs.some((run) => run.trigger === 'schedule')) {
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      runs = (await (await fetch(`${suite.server.url}/api/workers/${name}/cron`)).json()).runs
    }
    const run = runs.find((entry) => entry.trigger === 'schedule')
    assert.ok(run, `no scheduled run within 75 s: ${JSON.stringify(runs)}`)
    assert.equal(run.outcome, 'ok')
  })
})
