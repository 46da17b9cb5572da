// End-to-end: the operator's admin page in a real Chromium against `wrangler dev` started with an
// ADMIN_TOKEN (npm run test:e2e): sign in once, search workers by name and by tag, suspend and resume
// one, delete one through the confirm step; every state checked by axe, under the platform's CSP.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { clickAndWait, uniqueName } from './flows.mjs'
import { assertAccessible } from './harness.mjs'
import { browserAndServer, pagePerTest } from './suite.mjs'

const ADMIN_TOKEN = 'e2e-admin-page-token-0123456789abcdef0123456789'

describe('The admin page in Chromium', () => {
  const suite = browserAndServer({ ADMIN_TOKEN })
  const current = pagePerTest(suite)

  async function deploy(name, tags = []) {
    const res = await fetch(`${suite.server.url}/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: 'export default { fetch: () => new Response("up") }', tags }),
    })
    assert.equal(res.status, 201)
  }
  const served = async (name) => (await fetch(`${suite.server.url}/user-workers/${name}/`)).status

  /** Searches until the row shows (KV's list may take a moment to hold a new worker). */
  async function search(page, { name = '', tag = '' }, expected) {
    const form = page.getByRole('search', { name: 'Search' })
    for (let attempt = 0; attempt < 20; attempt++) {
      await form.getByLabel('Name contains').fill(name)
      await form.getByLabel('Tag').fill(tag)
      assert.equal((await clickAndWait(page, form.getByRole('button', { name: 'Search' }))).status(), 200)
      if ((await page.getByRole('link', { name: expected, exact: true }).count()) > 0) return
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    assert.fail(`the search ${JSON.stringify({ name, tag })} never showed ${expected}`)
  }

  test('sign in, search by name and by tag, suspend and resume, delete with the confirm step', async () => {
    const { page } = current
    const tag = uniqueName('promo')
    const tagged = uniqueName('adm-tagged')
    const plain = uniqueName('adm-plain')
    await deploy(tagged, [tag])
    await deploy(plain)

    await page.goto(`${suite.server.url}/admin`)
    await assertAccessible(page, 'the admin sign-in')
    const signIn = page.getByRole('form', { name: 'Sign in as the operator' })
    await signIn.getByLabel('Admin token').fill('not-the-admin-token')
    assert.equal((await clickAndWait(page, signIn.getByRole('button', { name: 'Sign in' }))).status(), 403)
    await page.getByRole('alert').filter({ hasText: 'That is not the admin token' }).waitFor()
    await assertAccessible(page, 'the admin sign-in, refused')
    await signIn.getByLabel('Admin token').fill(ADMIN_TOKEN)
    assert.equal((await clickAndWait(page, signIn.getByRole('button', { name: 'Sign in' }))).status(), 200)
    await page.getByRole('heading', { name: 'Workers', level: 1 }).waitFor()
    await assertAccessible(page, 'the admin worker list')

    await search(page, { name: plain }, plain)
    assert.equal(await page.getByRole('link', { name: tagged, exact: true }).count(), 0)
    await search(page, { tag }, tagged)
    assert.equal(await page.getByRole('link', { name: plain, exact: true }).count(), 0)
    await assertAccessible(page, 'the admin worker list searched by tag')

    // Suspend with a reason, then resume, from the worker's admin page.
    await clickAndWait(page, page.getByRole('link', { name: tagged, exact: true }))
    await assertAccessible(page, "a worker's admin page")
    const suspend = page.getByRole('form', { name: 'Suspend' })
    await suspend.getByLabel(/^Reason/).fill('abuse report #42')
    assert.equal((await clickAndWait(page, suspend.getByRole('button', { name: `Suspend ${tagged}` }))).status(), 200)
    await page.getByRole('status').filter({ hasText: 'Suspended' }).waitFor()
    assert.equal(await served(tagged), 503)
    await assertAccessible(page, "a suspended worker's admin page")
    const resume = page.getByRole('form', { name: 'Resume' })
    assert.equal((await clickAndWait(page, resume.getByRole('button', { name: `Resume ${tagged}` }))).status(), 200)
    await page.getByRole('status').filter({ hasText: 'Resumed' }).waitFor()
    assert.equal(await served(tagged), 200)

    // Delete: the confirm step names the worker, and refuses anything but its name.
    await clickAndWait(page, page.getByRole('link', { name: `Delete ${tagged}…` }))
    await assertAccessible(page, 'the delete confirmation')
    const confirm = page.getByRole('form', { name: `Delete the worker ${tagged} for good` })
    await confirm.getByLabel('Type its name to confirm').fill('not-its-name')
    assert.equal((await clickAndWait(page, confirm.getByRole('button', { name: `Delete ${tagged}` }))).status(), 400)
    await page.getByRole('alert').filter({ hasText: 'nothing was deleted' }).waitFor()
    assert.equal(await confirm.getByLabel('Type its name to confirm').inputValue(), 'not-its-name')
    await assertAccessible(page, 'the delete confirmation, refused')
    assert.equal(await served(tagged), 200)
    await confirm.getByLabel('Type its name to confirm').fill(tagged)
    assert.equal((await clickAndWait(page, confirm.getByRole('button', { name: `Delete ${tagged}` }))).status(), 200)
    await page
      .getByRole('status')
      .filter({ hasText: `Deleted ${tagged}.` })
      .waitFor()
    assert.equal((await fetch(`${suite.server.url}/api/workers/${tagged}`)).status, 404)

    await clickAndWait(page, page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Accounts' }))
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor()
    await assertAccessible(page, 'the admin account list')

    await clickAndWait(page, page.getByRole('button', { name: 'Sign out of admin' }))
    await page.getByRole('form', { name: 'Sign in as the operator' }).waitFor()
  })

  test("an account's page sets its daily request budget, and shows a refused one again", async () => {
    const { page } = current
    const signedUp = await fetch(`${suite.server.url}/api/accounts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Budgeted in Chromium' }),
    })
    assert.equal(signedUp.status, 201)
    const { account } = await signedUp.json()
    await page.goto(`${suite.server.url}/admin/accounts/${account.accountId}`)
    const signIn = page.getByRole('form', { name: 'Sign in as the operator' })
    await signIn.getByLabel('Admin token').fill(ADMIN_TOKEN)
    assert.equal((await clickAndWait(page, signIn.getByRole('button', { name: 'Sign in' }))).status(), 200)
    await page.getByRole('heading', { name: 'Budgeted in Chromium', level: 1 }).waitFor()
    await assertAccessible(page, "an account's admin page")

    const budget = page.getByRole('form', { name: 'Daily request budget of the account' })
    await budget.getByLabel('Requests per day, all its workers together').fill('1000')
    assert.equal(
      (await clickAndWait(page, budget.getByRole('button', { name: "Set the account's budget" }))).status(),
      200,
    )
    await page.getByRole('status').filter({ hasText: 'The account’s budget is set.' }).waitFor()
    await page.getByText('1000 requests a day (UTC) across its workers (its own)').waitFor()
    await assertAccessible(page, "an account's admin page with its own budget")

    // The browser keeps a number field's text to numbers: a negative one reaches the platform, refused.
    await budget.getByLabel('Requests per day, all its workers together').fill('-5')
    await budget.evaluate((form) => form.setAttribute('novalidate', ''))
    assert.equal(
      (await clickAndWait(page, budget.getByRole('button', { name: "Set the account's budget" }))).status(),
      400,
    )
    await page.getByRole('alert').filter({ hasText: 'The budget must be a whole number' }).waitFor()
    await assertAccessible(page, "an account's admin page, budget refused")
  })
})
