// End-to-end: custom domains in a real Chromium against `wrangler dev` (npm run test:e2e). Without a
// SaaS zone (npm run dev), a .test hostname serves at once: added on the worker page, then reached
// with `curl -H 'Host: …'` as docs/custom-domains.md says, then removed.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { describe, test } from 'node:test'
import { clickAndWait, helloScript, revealedToken, uniqueName, uploadWorker } from './flows.mjs'
import { assertAccessible } from './harness.mjs'
import { browserAndServer } from './suite.mjs'

const domainsForm = (page) => page.getByRole('form', { name: 'Custom domains' })

/** What `curl -H 'Host: <hostname>' <server>/` answers: status line and body. */
function curlWithHost(server, hostname) {
  const out = execFileSync('curl', ['-s', '-w', '\n%{http_code}', '-H', `Host: ${hostname}`, `${server.url}/`], {
    encoding: 'utf8',
  })
  const lines = out.split('\n')
  return { status: Number(lines.pop()), body: lines.join('\n') }
}

describe('Custom domains in Chromium', () => {
  const suite = browserAndServer()

  test('add a .test hostname on the worker page, reach it by its Host, remove it', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } })
    context.setDefaultTimeout(20_000)
    try {
      const page = await context.newPage()
      const name = uniqueName('domains')
      const response = await uploadWorker(page, suite.server.url, { name, script: helloScript('from my own domain') })
      assert.equal(response.status(), 200)
      const token = await revealedToken(page)
      const hostname = `${name}.example.test`

      // A refusal keeps what was typed and says which rule it breaks.
      await domainsForm(page).getByLabel('Hostname').fill('192.168.0.1')
      await domainsForm(page).getByLabel('Deploy token').fill(token)
      assert.equal(
        (await clickAndWait(page, domainsForm(page).getByRole('button', { name: 'Add or show domains' }))).status(),
        400,
      )
      await page.getByRole('alert').filter({ hasText: 'an IP address is not a hostname' }).waitFor()
      assert.equal(await domainsForm(page).getByLabel('Hostname').inputValue(), '192.168.0.1')

      await domainsForm(page).getByLabel('Hostname').fill(hostname)
      await domainsForm(page).getByLabel('Deploy token').fill(token)
      assert.equal(
        (await clickAndWait(page, domainsForm(page).getByRole('button', { name: 'Add or show domains' }))).status(),
        200,
      )
      const table = page.getByRole('table', { name: 'Custom domains' })
      await table.getByRole('row').filter({ hasText: hostname }).filter({ hasText: 'Serving' }).waitFor()
      await assertAccessible(page, 'the worker page with a custom domain')

      assert.deepEqual(curlWithHost(suite.server, hostname), { status: 200, body: 'from my own domain' })
      assert.equal(curlWithHost(suite.server, `nobody-${name}.example.test`).status, 404)

      const row = table.getByRole('row').filter({ hasText: hostname })
      await row.getByLabel('Deploy token').fill(token)
      assert.equal((await clickAndWait(page, row.getByRole('button', { name: `Remove ${hostname}` }))).status(), 200)
      await page.getByText('No custom domains yet.').waitFor()
    } finally {
      await context.close()
    }
  })
})
