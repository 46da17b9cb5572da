// End-to-end: the operator's delete by tag in a real Chromium against `wrangler dev` started with an
// ADMIN_TOKEN (npm run test:e2e): find the tagged workers, confirm, see them deleted.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { clickAndWait, uniqueName } from './flows.mjs'
import { assertAccessible } from './harness.mjs'
import { browserAndServer } from './suite.mjs'

const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef0123456789'

describe('Delete by tag in Chromium', () => {
  const suite = browserAndServer({ ADMIN_TOKEN })

  test('the operator finds the workers a tag is on, confirms, and they are gone', async () => {
    const tag = uniqueName('campaign')
    const names = []
    for (let i = 0; i < 2; i++) {
      const name = uniqueName('bytag')
      const res = await fetch(`${suite.server.url}/api/workers/${name}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ script: 'export default { fetch: () => new Response("ok") }', tags: [tag] }),
      })
      assert.equal(res.status, 201)
      names.push(name)
    }
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } })
    context.setDefaultTimeout(20_000)
    try {
      const page = await context.newPage()
      await page.goto(`${suite.server.url}/admin/tags`)
      const find = page.getByRole('form', { name: 'Find the workers' })
      await find.getByLabel('Tag').fill(tag)
      await find.getByLabel('Admin token').fill(ADMIN_TOKEN)
      // KV's list may take a moment to show the new workers: ask again until both are there.
      let confirm
      for (let attempt = 0; attempt < 20; attempt++) {
        assert.equal((await clickAndWait(page, find.getByRole('button', { name: 'Find workers' }))).status(), 200)
        confirm = page.getByRole('form', { name: /^Delete 2 workers tagged/ })
        if ((await confirm.count()) > 0) break
        await page.goto(`${suite.server.url}/admin/tags?tag=${encodeURIComponent(tag)}`)
        await find.getByLabel('Admin token').fill(ADMIN_TOKEN)
      }
      await assertAccessible(page, 'the delete-by-tag confirmation')
      await confirm.getByRole('checkbox').check()
      await confirm.getByLabel('Admin token').fill(ADMIN_TOKEN)
      assert.equal((await clickAndWait(page, confirm.getByRole('button', { name: 'Delete 2 workers' }))).status(), 200)
      await page.getByRole('heading', { name: /^Deleted 2 workers tagged/ }).waitFor()
      for (const name of names) assert.equal((await fetch(`${suite.server.url}/api/workers/${name}`)).status, 404)
    } finally {
      await context.close()
    }
  })
})
