// End-to-end: the platform's cookies (src/core/cookies.ts) never reach a tenant. Chromium holds a
// platform cookie and a tenant's cookie for the platform's origin, as a signed-in visitor would, and
// opens a worker on the shared origin: the browser sends both, the worker receives only its own.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { uniqueName } from './flows.mjs'
import { browserAndServer, pagePerTest } from './suite.mjs'

const COOKIE_ECHO = `export default {
  async fetch(request) {
    return Response.json({ cookie: request.headers.get("cookie") });
  },
};`

describe("the platform's cookies in Chromium", () => {
  const suite = browserAndServer()
  const current = pagePerTest(suite)

  test('a worker on /user-workers/<name> gets the tenant’s cookies, never the platform’s', async () => {
    const { url } = suite.server
    const name = uniqueName('cookie-echo')
    const deployed = await fetch(`${url}/api/workers/${name}`, { method: 'PUT', body: COOKIE_ECHO })
    assert.equal(deployed.status, 201)

    await current.context.addCookies([
      { name: 'wfp_session', value: 'platform-secret', url, httpOnly: true, sameSite: 'Lax' },
      { name: 'own', value: 'tenant-1', url },
    ])
    const response = await current.page.goto(`${url}/user-workers/${name}/`)
    assert.equal(response.status(), 200)
    // The browser did send the platform's cookie with the request to the tenant's URL…
    const sent = (await response.request().allHeaders()).cookie ?? ''
    assert.match(sent, /wfp_session=platform-secret/)
    assert.match(sent, /own=tenant-1/)
    // …and the worker got its own cookie only.
    assert.deepEqual(await response.json(), { cookie: 'own=tenant-1' })
  })
})
