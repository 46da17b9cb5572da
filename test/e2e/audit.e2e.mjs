// End-to-end: the audit log in a real Chromium against `wrangler dev` (docs/audit.md): a signed-in
// owner sees the newest changes on the worker page, the whole log on its own page, and its CSV; the
// operator reads every worker's on the admin page.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { accountWithWorker, api, clickAndWait, helloScript, uniqueName } from './flows.mjs'
import { assertAccessible } from './harness.mjs'
import { browserAndServer, pagePerTest } from './suite.mjs'

const ADMIN_TOKEN = 'e2e-audit-admin-token-0123456789abcdef0123456789'

describe('The audit log in Chromium', () => {
  const suite = browserAndServer({ ADMIN_TOKEN })
  const current = pagePerTest(suite)

  test('a signed-in owner reads the worker’s changes on its page, on the log’s page and as CSV', async () => {
    const { url } = suite.server
    const { page } = current
    const name = uniqueName('audited')
    const token = await accountWithWorker(url, 'Audit Studio', name)

    await page.goto(`${url}/signin`)
    await page.getByLabel('API token or deploy token').fill(token.value)
    await clickAndWait(page, page.getByRole('main').getByRole('button', { name: 'Sign in' }))
    await page.goto(`${url}/workers/${name}`)
    const section = page.getByRole('region', { name: 'Audit log' })
    const rows = section.getByRole('row')
    // A header and three entries: the claim and two deploys, by the account's API token.
    assert.equal(await rows.count(), 4)
    await section
      .getByText(/Deployed .* serving/)
      .first()
      .waitFor()
    assert.equal(await section.getByText(`api-token:${token.value.split('_')[1]}`).count(), 3)
    await assertAccessible(page, 'the worker page with its audit log')

    await clickAndWait(page, section.getByRole('link', { name: 'The whole log' }))
    await page.getByRole('heading', { name: `Audit log of ${name}` }).waitFor()
    assert.equal(await page.getByRole('row').count(), 4)
    await assertAccessible(page, 'a worker’s audit log page')

    const csv = await page.request.get(`${url}/workers/${name}/audit?format=csv`)
    assert.equal(csv.status(), 200)
    assert.match(csv.headers()['content-type'], /^text\/csv/)
    const lines = (await csv.text()).trimEnd().split('\n')
    assert.equal(lines[0], 'id,at,worker,account,action,actor,ip,detail')
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(',')[4]),
      ['deploy', 'deploy', 'claim'],
    )
  })

  test('the operator filters every worker’s changes on the admin page', async () => {
    const { url } = suite.server
    const { page } = current
    const name = uniqueName('trail')
    const deployed = await api(url, `/api/workers/${name}`, { method: 'PUT', body: helloScript('v1') })
    assert.equal(deployed.status, 201)
    const suspended = await api(url, `/api/admin/workers/${name}/suspend`, {
      method: 'POST',
      token: ADMIN_TOKEN,
      json: { reason: 'e2e audit' },
    })
    assert.equal(suspended.status, 200)

    await page.goto(`${url}/admin/audit`)
    const signIn = page.getByRole('form', { name: 'Sign in as the operator' })
    await signIn.getByLabel('Admin token').fill(ADMIN_TOKEN)
    await clickAndWait(page, signIn.getByRole('button', { name: 'Sign in' }))
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor()
    const filter = page.getByRole('search', { name: 'Filter the audit log' })
    await filter.getByLabel('Worker').fill(name)
    await filter.getByLabel('Action').selectOption('suspend')
    // The name's alarm copies its entries to the trail right after the change: look again until it has.
    for (let attempt = 0; attempt < 20; attempt++) {
      await clickAndWait(page, filter.getByRole('button', { name: 'Filter' }))
      if ((await page.getByText('Suspended: e2e audit').count()) > 0) break
      await page.waitForTimeout(500)
    }
    await page.getByText('Suspended: e2e audit').waitFor()
    assert.equal(await page.getByRole('row').count(), 2)
    await assertAccessible(page, 'the operator’s audit log')
  })
})
