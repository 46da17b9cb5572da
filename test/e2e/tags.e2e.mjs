// End-to-end: a worker's tags in a real Chromium against `wrangler dev` (npm run test:e2e): set in
// the upload form's settings, shown on the worker page, and the list filtered by one.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { clickAndWait, codeField, helloScript, nameField, submitUpload, uniqueName } from './flows.mjs'
import { assertAccessible } from './harness.mjs'
import { browserAndServer } from './suite.mjs'

describe('Tags in Chromium', () => {
  const suite = browserAndServer()

  test('tag a worker in the upload form, follow its tag, filter the list', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } })
    context.setDefaultTimeout(20_000)
    try {
      const page = await context.newPage()
      const name = uniqueName('tagged')
      const tag = `team:${name}`
      await page.goto(`${suite.server.url}/upload`)
      await nameField(page).fill(name)
      await codeField(page).fill(helloScript('tagged'))
      await page.locator('details.settings > summary').click()
      await page.getByLabel(/^Tags/).fill(`${tag}, beta`)
      assert.equal((await submitUpload(page)).status(), 200)

      // The worker page links each tag to the list filtered by it.
      assert.equal((await clickAndWait(page, page.getByRole('link', { name: tag }))).status(), 200)
      const search = page.getByRole('search', { name: 'Filter by tag' })
      assert.equal(await search.getByLabel('Tag').inputValue(), tag)
      // KV's list may take a moment to show a new key: reload until it does.
      for (let attempt = 0; attempt < 30; attempt++) {
        if ((await page.getByRole('link', { name, exact: true }).count()) > 0) break
        await page.waitForTimeout(500)
        await page.reload()
      }
      await page.getByRole('link', { name, exact: true }).waitFor()
      await assertAccessible(page, 'the worker list filtered by a tag')

      await search.getByLabel('Tag').fill(`nothing-${name}`)
      assert.equal((await clickAndWait(page, search.getByRole('button', { name: 'Filter' }))).status(), 200)
      await page.getByText(`No worker is tagged nothing-${name}`).waitFor()
    } finally {
      await context.close()
    }
  })
})
