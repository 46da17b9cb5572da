// End-to-end: a gradual rollout from the worker page's form under `wrangler dev` in a real Chromium:
// two versions deployed, a 50 % rollout started from the form, both sides' metrics next to each other
// after some requests, the share changed, a refusal next to the form, the rollout aborted; axe on the
// page with the rollout form and with the refusal.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { clickAndWait, uniqueName } from './flows.mjs'
import { assertAccessible } from './harness.mjs'
import { browserAndServer, pagePerTest } from './suite.mjs'

const VERSION = (version) => `export default { fetch: () => new Response("${version}") };`
const REQUESTS = 40

describe('Gradual rollouts in Chromium', () => {
  const suite = browserAndServer()
  const current = pagePerTest(suite)

  test('start a 50 % rollout from the form, compare both sides, change the share, abort', async () => {
    const base = suite.server.url
    const name = uniqueName('rollout')
    const first = await fetch(`${base}/api/workers/${name}`, { method: 'PUT', body: VERSION('v1') })
    assert.equal(first.status, 201)
    const { token } = await first.json()
    const second = await fetch(`${base}/api/workers/${name}?promote=false`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}` },
      body: VERSION('v2'),
    })
    assert.equal(second.status, 200)
    const v2 = (await second.json()).deployments.find((deployment) => !deployment.current).workerId

    const { page } = current
    assert.equal((await page.goto(`${base}/workers/${name}`)).status(), 200)
    const form = page.getByRole('form', { name: 'Roll out a deployment' })
    assert.equal(await form.getByLabel('Candidate').inputValue(), v2)
    await assertAccessible(page, 'the worker page with the rollout form')

    await form.getByLabel('Share of visitors (%)').fill('50')
    await form.getByLabel('Deploy token').fill(token)
    assert.equal((await clickAndWait(page, form.getByRole('button', { name: 'Start the rollout' }))).status(), 200)
    await page.getByRole('status').filter({ hasText: 'Rolling out v2 to 50 % of visitors' }).waitFor()

    // Visitors with their own keys: each side answers some.
    const answers = []
    for (let i = 0; i < REQUESTS; i++) {
      const response = await fetch(`${base}/user-workers/${name}/`, { headers: { Cookie: `wfp_visitor=e2e-${i}` } })
      answers.push(await response.text())
    }
    const onV2 = answers.filter((answer) => answer === 'v2').length
    assert.ok(onV2 > 0 && onV2 < REQUESTS, `both sides should answer, v2 answered ${onV2} of ${REQUESTS}`)

    const api = await (await fetch(`${base}/api/workers/${name}/rollout`)).json()
    assert.equal(api.rollout.percent, 50)
    assert.equal(api.current.metrics.totals.requests, REQUESTS - onV2)
    assert.equal(api.candidate.metrics.totals.requests, onV2)

    await page.reload()
    const sides = page.getByRole('table').filter({ hasText: 'Share of visitors' })
    assert.deepEqual(await sides.getByRole('columnheader').allTextContents(), ['Serving: v1', 'Candidate: v2'])
    const requests = sides.getByRole('row').filter({ hasText: 'Requests' })
    assert.deepEqual(await requests.getByRole('cell').allTextContents(), [String(REQUESTS - onV2), String(onV2)])
    await page.getByText('Per minute', { exact: true }).click()
    await assertAccessible(page, 'the worker page during a rollout, both sides shown')

    // A wrong token is refused next to the form, the share typed kept.
    await form.getByLabel('Share of visitors (%)').fill('80')
    await form.getByLabel('Deploy token').fill('not-the-token')
    assert.equal((await clickAndWait(page, form.getByRole('button', { name: 'Change the rollout' }))).status(), 401)
    await page.getByRole('alert').filter({ hasText: 'That token is not valid' }).waitFor()
    assert.equal(await form.getByLabel('Share of visitors (%)').inputValue(), '80')
    await assertAccessible(page, 'the worker page with a refused rollout form')

    await form.getByLabel('Deploy token').fill(token)
    assert.equal((await clickAndWait(page, form.getByRole('button', { name: 'Change the rollout' }))).status(), 200)
    await page.getByRole('status').filter({ hasText: 'Rolling out v2 to 80 % of visitors' }).waitFor()
    assert.equal((await (await fetch(`${base}/api/workers/${name}/rollout`)).json()).rollout.percent, 80)

    const end = page.getByRole('form', { name: 'End the rollout' })
    await end.getByLabel('Deploy token').fill(token)
    assert.equal((await clickAndWait(page, end.getByRole('button', { name: 'Abort the rollout' }))).status(), 200)
    assert.deepEqual(await (await fetch(`${base}/api/workers/${name}/rollout`)).json(), { name, rollout: null })
    await form.getByRole('button', { name: 'Start the rollout' }).waitFor()
  })
})
