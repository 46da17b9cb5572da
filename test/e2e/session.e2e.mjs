// End-to-end: signing in to the console once (docs/accounts.md#signing-in-to-the-console). An account
// is created through the API; Chromium signs in through the form, sees "Your workers", promotes,
// follows the logs of, uploads to and deletes a worker without any token field, and signs out.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { accountWithWorker, api, clickAndWait, codeField, helloScript, uniqueName } from './flows.mjs'
import { assertAccessible } from './harness.mjs'
import { browserAndServer, pagePerTest } from './suite.mjs'

/** Show logs on a signed-in worker page: it follows live through /workers/<name>/logs/live, then stops. */
async function followLogsLive(page, name) {
  const live = page.waitForResponse((response) => new URL(response.url()).pathname === `/workers/${name}/logs/live`)
  await page.getByRole('button', { name: 'Show logs' }).click()
  assert.equal((await live).status(), 200)
  await page.locator('#log-follow-status').filter({ hasText: 'Following live' }).waitFor()
  assert.match(await page.locator('#log-capture').textContent(), /^Capture is on until \d{4}-/)
  await page.getByRole('button', { name: 'Stop following' }).click()
  await page.locator('#log-follow-status').filter({ hasText: 'Stopped following' }).waitFor()
}

describe('signing in to the console in Chromium', () => {
  const suite = browserAndServer()
  const current = pagePerTest(suite)

  test('sign in with an API token, act on a worker without token fields, sign out', async () => {
    const { url } = suite.server
    const { page, context } = current
    const name = uniqueName('session')
    const token = await accountWithWorker(url, 'E2E Studio', name)

    // Signed out: a "Sign in" link; a wrong token gets the 401 page.
    await page.goto(url)
    await clickAndWait(page, page.getByRole('link', { name: 'Sign in' }))
    assert.equal(new URL(page.url()).pathname, '/signin')
    await assertAccessible(page, 'the sign-in page')
    await page.getByLabel('API token or deploy token').fill('at_not-a-token')
    const refused = await clickAndWait(page, page.getByRole('main').getByRole('button', { name: 'Sign in' }))
    assert.equal(refused.status(), 401)
    await page.getByRole('alert').getByText('That token is not valid').waitFor()
    assert.equal(await page.getByLabel('API token or deploy token').inputValue(), '')

    await page.getByLabel('API token or deploy token').fill(token.value)
    await clickAndWait(page, page.getByRole('main').getByRole('button', { name: 'Sign in' }))
    assert.equal(new URL(page.url()).pathname, '/')
    const [cookie] = (await context.cookies(url)).filter((c) => c.name === 'wfp_session')
    assert.ok(cookie, 'the session cookie is set')
    assert.equal(cookie.httpOnly, true)
    assert.equal(cookie.sameSite, 'Lax')
    assert.equal(cookie.path, '/')
    assert.equal(cookie.secure, false)
    assert.ok(!cookie.value.includes(token.value), 'the cookie does not hold the token')
    // The page's scripts cannot read it.
    assert.equal(await page.evaluate(() => document.cookie.includes('wfp_session')), false)

    // "Your workers": the account's, and its name with "Sign out" in the header.
    await page.getByRole('banner').getByText('E2E Studio').waitFor()
    const own = page.locator('#account-workers')
    await own.getByRole('link', { name, exact: true }).waitFor()
    await assertAccessible(page, 'the home page, signed in')

    // The worker page: no token field anywhere; promote the first version back.
    await clickAndWait(page, own.getByRole('link', { name, exact: true }))
    assert.equal(await page.locator('input[name="token"]').count(), 0)
    // The owner's history of tokens and moves: shown signed in only (empty for this worker).
    await page.getByRole('heading', { name: 'Tokens and account' }).waitFor()
    await assertAccessible(page, 'the worker page, signed in')
    await page.getByRole('radio').first().check()
    await clickAndWait(page, page.getByRole('button', { name: 'Promote the selected deployment' }))
    await page.getByRole('status').getByText('Promoted.').waitFor()
    assert.equal(await (await fetch(`${url}/user-workers/${name}`)).text(), 'v1')

    // Logs: followed live with the session (the page's own route, no token anywhere).
    await followLogsLive(page, name)

    // Upload a new version: the current (private) code is loaded, and it deploys without a token.
    await clickAndWait(page, page.getByRole('link', { name: 'Upload a new version' }))
    assert.equal(await page.locator('input[name="token"]').count(), 0)
    assert.match(await codeField(page).inputValue(), /"v1"/)
    await assertAccessible(page, 'the upload form, signed in')
    await codeField(page).fill(helloScript('v3'))
    const deployed = await clickAndWait(page, page.getByRole('button', { name: 'Deploy worker' }))
    assert.equal(deployed.status(), 200)
    assert.equal(await (await fetch(`${url}/user-workers/${name}`)).text(), 'v3')

    // Rotate the worker's deploy token, without typing one: the new one is shown once.
    await clickAndWait(page, page.getByRole('button', { name: 'Rotate the deploy token' }))
    await page.getByRole('status').getByText('Rotated.').waitFor()
    const rotated = (await page.getByLabel('Deploy token', { exact: true }).inputValue()).trim()
    assert.match(rotated, /^dt_/)
    const withRotated = await api(url, `/api/workers/${name}/logs`, { token: rotated })
    assert.equal(withRotated.status, 200)
    await assertAccessible(page, 'the worker page after a rotation')

    // Delete, without a token.
    await clickAndWait(page, page.getByRole('button', { name: `Delete ${name}` }))
    await page.getByRole('status').getByText('Deleted.').waitFor()
    assert.equal((await fetch(`${url}/api/workers/${name}`)).status, 404)

    // Sign out: the cookie goes, and its old value is refused by the server.
    await clickAndWait(page, page.getByRole('button', { name: 'Sign out' }))
    assert.equal((await context.cookies(url)).filter((c) => c.name === 'wfp_session').length, 0)
    await page.getByRole('link', { name: 'Sign in' }).waitFor()
    const replay = await fetch(`${url}/`, { headers: { Cookie: `wfp_session=${cookie.value}` } })
    assert.match(await replay.text(), /href="\/signin"/)
  })

  test('sign up through the form, issue a token and revoke one on the account page', async () => {
    const { url } = suite.server
    const { page, context } = current
    await page.goto(`${url}/signin`)
    await clickAndWait(page, page.getByRole('link', { name: 'Create one' }))
    assert.equal(new URL(page.url()).pathname, '/signup')
    await assertAccessible(page, 'the sign-up page')
    await page.getByLabel('Account name').fill('E2E Signup')
    const created = await clickAndWait(page, page.getByRole('button', { name: 'Create account' }))
    assert.equal(created.status(), 201)
    // Signed in at once; the first token is shown this once and works.
    assert.equal((await context.cookies(url)).filter((c) => c.name === 'wfp_session').length, 1)
    const first = (await page.getByLabel('API token', { exact: true }).inputValue()).trim()
    assert.match(first, /^at_[0-9a-f]{16}_/)
    assert.equal((await api(url, '/api/account', { token: first })).status, 200)
    await assertAccessible(page, 'the account page with a new token')

    await page.getByLabel('What it is for').fill('laptop')
    const issued = await clickAndWait(page, page.getByRole('button', { name: 'Create token' }))
    assert.equal(issued.status(), 201)
    const laptop = (await page.getByLabel('API token', { exact: true }).inputValue()).trim()
    assert.notEqual(laptop, first)
    const row = page.getByRole('row').filter({ hasText: 'laptop' })
    await clickAndWait(page, row.getByRole('button', { name: /^Revoke laptop/ }))
    await page.getByRole('status').getByText('Revoked.').waitFor()
    await row.getByText(/^revoked /).waitFor()
    assert.equal((await api(url, '/api/account', { token: laptop })).status, 401)
    assert.equal((await api(url, '/api/account', { token: first })).status, 200)
    // The account's name in the header leads back here.
    await clickAndWait(page, page.getByRole('banner').getByRole('link', { name: 'E2E Signup' }))
    assert.equal(new URL(page.url()).pathname, '/account')
  })

  test('sign in with a deploy token from its worker page, act on it without a token, sign out', async () => {
    const { url } = suite.server
    const { page } = current
    const name = uniqueName('dt-session')
    const deployed = await api(url, `/api/workers/${name}`, { method: 'PUT', body: helloScript('one') })
    assert.equal(deployed.status, 201)
    const { token } = await deployed.json()

    await page.goto(`${url}/workers/${name}`)
    assert.ok((await page.locator('input[name="token"]').count()) > 0)
    await clickAndWait(page, page.getByRole('main').getByRole('link', { name: 'Sign in' }))
    assert.equal(await page.getByLabel(/^Worker name/).inputValue(), name)
    await page.getByLabel('API token or deploy token').fill(token)
    await clickAndWait(page, page.getByRole('main').getByRole('button', { name: 'Sign in' }))
    assert.equal(new URL(page.url()).pathname, `/workers/${name}`)
    await page.getByRole('banner').getByText(`${name} (deploy token)`).waitFor()
    assert.equal(await page.locator('input[name="token"]').count(), 0)

    await followLogsLive(page, name)
    await clickAndWait(page, page.getByRole('button', { name: `Delete ${name}` }))
    await page.getByRole('status').getByText('Deleted.').waitFor()
    assert.equal((await fetch(`${url}/api/workers/${name}`)).status, 404)
    await clickAndWait(page, page.getByRole('button', { name: 'Sign out' }))
    await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).waitFor()
  })
})
