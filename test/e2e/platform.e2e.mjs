// End-to-end: the real dispatch Worker under `wrangler dev`, driven through a real Chromium.
// Run with `npm run test:e2e`. Tests run in file order on one server; the first one needs the
// fresh (empty) KV that startDevServer() gives every run.
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import {
  clickAndWait,
  codeField,
  fileField,
  helloScript,
  nameField,
  revealedToken,
  submitUpload,
  SYNTAX_ERROR_SCRIPT,
  THROWING_SCRIPT,
  uniqueName,
  uploadWorker,
} from './flows.mjs'
import { strToU8, zipSync } from 'fflate'
import { assertAccessible } from './harness.mjs'
import { browserAndServer, pagePerTest } from './suite.mjs'

const TYPESCRIPT_WORKER = `interface Answer { value: number }
const answer: Answer = { value: 42 }
export default {
  async fetch(_request: Request): Promise<Response> {
    return new Response(\`typed \${answer.value}\`)
  },
}
`

// A site: an HTML page whose stylesheet is at an absolute path, as sites' are.
const SITE_SCRIPT = `export default {
  async fetch(request) {
    if (new URL(request.url).pathname === "/style.css") {
      return new Response("h1 { color: rgb(1, 2, 3) }", { headers: { "content-type": "text/css" } });
    }
    const html = '<!doctype html><html lang="en"><title>site</title><link rel="stylesheet" href="/style.css"><h1>a site</h1></html>';
    return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
  },
};
`

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

async function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)
}

async function heading(page) {
  return (await page.getByRole('heading', { level: 1 }).textContent()).trim()
}

describe('Workers platform in Chromium', () => {
  const suite = browserAndServer()
  const current = pagePerTest(suite)
  // This test's page and context (pagePerTest opens them in its beforeEach, which runs first).
  let page
  let context
  beforeEach(() => ({ page, context } = current))

  test('the home page with no workers offers the upload form', async () => {
    const response = await page.goto(suite.server.url)
    assert.equal(response.status(), 200)
    assert.equal(await heading(page), 'Your workers')
    await page.getByText('No workers yet.').waitFor()
    await assertAccessible(page, 'the empty home page')

    await clickAndWait(page, page.getByRole('link', { name: 'Upload your first worker' }))
    assert.equal(new URL(page.url()).pathname, '/upload')
  })

  test('uploads a worker from the form, shows its page and serves it', async () => {
    const name = uniqueName('hello')
    const base = suite.server.url

    await page.goto(base)
    await clickAndWait(page, page.getByRole('main').getByRole('link', { name: /^Upload (your first|a) worker$/ }))
    assert.equal(await heading(page), 'Upload a worker')
    await assertAccessible(page, 'the upload form')

    await nameField(page).fill(name)
    await codeField(page).fill(helloScript(`hello from ${name}`))
    const response = await submitUpload(page)

    assert.equal(response.status(), 200)
    assert.match(page.url(), new RegExp(`^${escapeRegExp(base)}/workers/${name}\\?deployed=`))
    assert.equal(await heading(page), name)
    // The page was opened at 127.0.0.1: the worker's own origin is <name>.localhost on the same port.
    const workerUrl = `http://${name}.localhost:${new URL(base).port}/`
    const success = page.getByRole('status')
    assert.match(await success.textContent(), /Deployed\./)
    const link = success.getByRole('link', { name: workerUrl })
    assert.equal(await link.getAttribute('href'), workerUrl)
    // A first upload claims the name and shows its deploy token once.
    const token = await revealedToken(page)
    assert.ok(token.length >= 20, `expected a deploy token, got "${token}"`)
    // With JavaScript, copy buttons appear (progressive enhancement).
    assert.equal(await page.getByRole('button', { name: 'Copy token' }).isVisible(), true)
    await assertAccessible(page, 'the worker page')

    const workerResponse = await clickAndWait(page, link)
    assert.equal(page.url(), workerUrl)
    assert.equal(workerResponse.status(), 200)
    assert.equal(await workerResponse.text(), `hello from ${name}`)
    assert.equal((await page.locator('body').innerText()).trim(), `hello from ${name}`)

    await page.goto(base)
    const row = page.getByRole('row', { name: new RegExp(escapeRegExp(name)) })
    assert.equal(await row.getByRole('link', { name, exact: true }).getAttribute('href'), `/workers/${name}`)
    await assertAccessible(page, 'the home page with workers')
  })

  test('the worker page links a site at its own origin, where its absolute /style.css reaches it', async () => {
    const name = uniqueName('site')
    await uploadWorker(page, suite.server.url, { name, script: SITE_SCRIPT })
    const own = `http://${name}.localhost:${new URL(suite.server.url).port}/`
    const shared = `${suite.server.url}/user-workers/${name}`
    const details = page.locator('.card dl').first()
    assert.equal(await details.getByRole('link', { name: shared }).getAttribute('href'), shared)
    const response = await clickAndWait(page, details.getByRole('link', { name: own }))
    assert.equal(response.status(), 200)
    assert.equal(page.url(), own)
    assert.equal(await heading(page), 'a site')
    const color = await page.getByRole('heading').evaluate((element) => getComputedStyle(element).color)
    assert.equal(color, 'rgb(1, 2, 3)', 'the site’s /style.css applies')
  })

  test('the upload form shows only the kind chosen with JavaScript, and both without', async () => {
    const scriptFields = (page) => page.getByRole('group', { name: 'Script', exact: true })
    const projectFields = (page) => page.getByRole('group', { name: 'Project', exact: true })
    await page.goto(`${suite.server.url}/upload`)
    assert.equal(await scriptFields(page).isVisible(), true)
    assert.equal(await projectFields(page).isVisible(), false)
    await page.getByRole('radio', { name: /^Project/ }).check()
    assert.equal(await scriptFields(page).isVisible(), false)
    assert.equal(await page.locator('#project_archive').isVisible(), true)
    await assertAccessible(page, 'the upload form, project chosen')
    await page.getByRole('radio', { name: /^Script/ }).check()
    assert.equal(await codeField(page).isVisible(), true)
    assert.equal(await projectFields(page).isVisible(), false)

    const noScript = await suite.browser.newContext({ javaScriptEnabled: false })
    try {
      const bare = await noScript.newPage()
      await bare.goto(`${suite.server.url}/upload`)
      assert.equal(await scriptFields(bare).isVisible(), true)
      assert.equal(await projectFields(bare).isVisible(), true)
    } finally {
      await noScript.close()
    }
  })

  test('storage from the form: env.KV and env.DB keep a count, the page shows the usage and says delete removes it', async () => {
    const name = uniqueName('store')
    const counter = `export default {
  async fetch(request, env) {
    const visits = Number((await env.KV.get("visits")) ?? 0) + 1;
    await env.KV.put("visits", String(visits));
    await env.DB.exec("CREATE TABLE IF NOT EXISTS hits (n INTEGER)");
    await env.DB.prepare("INSERT INTO hits VALUES (?)").bind(visits).run();
    const { total } = await env.DB.prepare("SELECT count(*) AS total FROM hits").first();
    return new Response(visits + " visits, " + total + " rows");
  },
};
`
    await page.goto(`${suite.server.url}/upload`)
    await nameField(page).fill(name)
    await codeField(page).fill(counter)
    await page.getByText(/^Settings:/).click()
    await page.getByRole('checkbox', { name: /env\.KV/ }).check()
    await page.getByRole('checkbox', { name: /env\.DB/ }).check()
    assert.equal((await submitUpload(page)).status(), 200)
    const workerUrl = `${suite.server.url}/user-workers/${name}`
    const first = await page.request.get(workerUrl)
    assert.equal(await first.text(), '1 visits, 1 rows')
    assert.equal(await (await page.request.get(workerUrl)).text(), '2 visits, 2 rows')

    await page.goto(`${suite.server.url}/workers/${name}`)
    const storage = page.getByRole('heading', { name: 'Storage' })
    await storage.waitFor()
    assert.match(await page.locator('main').innerText(), /1 keys, [\d.]+ B[\s\S]*1 tables, /)
    assert.match(await page.locator('form[action$="/delete"]').innerText(), /all its data/)
    await assertAccessible(page, 'the worker page with storage')
  })

  test('a syntax error is shown with the name and code kept in the form', async () => {
    const name = uniqueName('syntax')
    const response = await uploadWorker(page, suite.server.url, { name, script: SYNTAX_ERROR_SCRIPT })

    assert.equal(response.status(), 400)
    assert.equal(new URL(page.url()).pathname, '/upload')
    const alert = page.getByRole('alert')
    assert.match(await alert.textContent(), /The worker was not deployed\./)
    assert.match(await alert.textContent(), /SyntaxError/)
    assert.equal(await nameField(page).inputValue(), name)
    assert.equal(await codeField(page).inputValue(), SYNTAX_ERROR_SCRIPT)
    await assertAccessible(page, 'the upload form with an error')

    const notDeployed = await page.goto(`${suite.server.url}/user-workers/${name}`)
    assert.equal(notDeployed.status(), 404)
  })

  test('deploys from the file input when the code box is empty', async () => {
    const name = uniqueName('file')
    await page.goto(`${suite.server.url}/upload`)
    await nameField(page).fill(name)
    // The form uses the file only when the textarea is empty, and it starts with an example.
    await codeField(page).fill('')
    await fileField(page).setInputFiles({
      name: 'worker.mjs',
      mimeType: 'text/javascript',
      buffer: Buffer.from(helloScript('hello from a file')),
    })
    const response = await submitUpload(page)
    assert.equal(response.status(), 200)
    assert.match(page.url(), new RegExp(`/workers/${name}\\?deployed=`))

    const worker = await page.goto(`${suite.server.url}/user-workers/${name}`)
    assert.equal(await worker.text(), 'hello from a file')
  })

  test('an unknown worker gets a 404 page', async () => {
    const response = await page.goto(`${suite.server.url}/user-workers/${uniqueName('missing')}`)
    assert.equal(response.status(), 404)
    assert.equal(await heading(page), 'No such worker')
    assert.ok(await page.getByRole('link', { name: 'Back to all workers' }).isVisible())
    await assertAccessible(page, 'the 404 page')
  })

  test('a worker that throws gets a 500 page without its error message', async () => {
    const name = uniqueName('throws')
    const upload = await uploadWorker(page, suite.server.url, { name, script: THROWING_SCRIPT })
    assert.equal(upload.status(), 200, 'a worker that throws only in fetch() deploys')

    const response = await page.goto(`${suite.server.url}/user-workers/${name}`)
    assert.equal(response.status(), 500)
    assert.equal(await heading(page), 'This worker failed')
    assert.doesNotMatch(await page.locator('body').innerText(), /this worker always fails/)
    await assertAccessible(page, 'the 500 page')
  })

  test('updates a worker with its deploy token, then deletes it', async () => {
    const name = uniqueName('owned')
    await uploadWorker(page, suite.server.url, { name, script: helloScript('version 1') })
    const token = await revealedToken(page)

    await clickAndWait(page, page.getByRole('link', { name: 'Upload a new version' }))
    assert.equal(await nameField(page).inputValue(), name)
    // The code is private: the form offers to load it with the token, and refuses a wrong one.
    assert.equal(await codeField(page).inputValue(), '')
    assert.match(await page.locator('#current-code').innerText(), /code is private/)
    const load = page.getByRole('form', { name: 'Load the current code' })
    await load.getByLabel(/^Your deploy token for/).fill('not-the-token')
    assert.equal((await clickAndWait(page, load.getByRole('button', { name: 'Load the current code' }))).status(), 401)
    assert.match(await load.getByRole('alert').innerText(), /That token is not valid/)
    await assertAccessible(page, 'the upload form with a refused token')
    await load.getByLabel(/^Your deploy token for/).fill(token)
    assert.equal((await clickAndWait(page, load.getByRole('button', { name: 'Load the current code' }))).status(), 200)
    // The form starts from the current code.
    assert.equal(await codeField(page).inputValue(), helloScript('version 1'))
    assert.match(await page.locator('#current-code').innerText(), /holds the code of the current version/)
    await codeField(page).fill(helloScript('version 2'))
    await page.getByLabel(/^Deploy token/).fill(token)
    assert.equal((await submitUpload(page)).status(), 200)
    assert.equal(await (await context.request.get(`${suite.server.url}/user-workers/${name}`)).text(), 'version 2')

    const deleteForm = page.getByRole('form', { name: 'Delete' })
    await deleteForm.getByLabel('Deploy token').fill(token)
    const deleted = await clickAndWait(page, deleteForm.getByRole('button', { name: `Delete ${name}` }))
    assert.equal(deleted.status(), 200)
    assert.match(await page.getByRole('status').textContent(), /Deleted\./)
    assert.equal((await context.request.get(`${suite.server.url}/user-workers/${name}`)).status(), 404)
  })

  test('an update without the token is refused with the code kept; the owner rolls back', async () => {
    const name = uniqueName('rollback')
    await uploadWorker(page, suite.server.url, { name, script: helloScript('good version') })
    const token = await revealedToken(page)

    await clickAndWait(page, page.getByRole('link', { name: 'Upload a new version' }))
    const bad = helloScript('bad version')
    await codeField(page).fill(bad)
    const refused = await submitUpload(page)
    assert.equal(refused.status(), 403)
    assert.match(await page.getByRole('alert').innerText(), /give its deploy token/)
    assert.equal(await codeField(page).inputValue(), bad)
    assert.equal(await nameField(page).inputValue(), name)

    await page.getByLabel(/^Deploy token/).fill(token)
    assert.equal((await submitUpload(page)).status(), 200)
    assert.equal(await (await context.request.get(`${suite.server.url}/user-workers/${name}`)).text(), 'bad version')

    const history = page.getByRole('form', { name: 'Deployments' })
    await history.getByRole('radio', { name: 'v1' }).check()
    await history.getByLabel('Deploy token').fill(token)
    const rolledBack = await clickAndWait(page, history.getByRole('button', { name: /Promote/ }))
    assert.equal(rolledBack.status(), 200)
    assert.match(await page.getByRole('status').first().innerText(), /Promoted/)
    assert.equal(await (await context.request.get(`${suite.server.url}/user-workers/${name}`)).text(), 'good version')
    await assertAccessible(page, 'the worker page after a rollback')
  })

  test('a "Preview only" upload serves at its preview link until the owner promotes it', async () => {
    const name = uniqueName('candidate')
    await uploadWorker(page, suite.server.url, { name, script: helloScript('live version') })
    const token = await revealedToken(page)

    await clickAndWait(page, page.getByRole('link', { name: 'Upload a new version' }))
    await codeField(page).fill(helloScript('candidate version'))
    await page.getByLabel(/^Preview only/).check()
    await page.getByLabel(/^Deploy token/).fill(token)
    assert.equal((await submitUpload(page)).status(), 200)
    assert.match(await page.getByRole('status').first().innerText(), /Deployed as a candidate/)
    const workerUrl = `${suite.server.url}/user-workers/${name}`
    assert.equal(await (await context.request.get(workerUrl)).text(), 'live version')
    // Its own origin, <preview-id>--preview.localhost: the browser resolves it (Node's resolver does not).
    const previewHref = await page.getByRole('link', { name: 'Preview v2' }).getAttribute('href')
    assert.match(previewHref, /^http:\/\/[0-9a-z]+--preview\.localhost:\d+\/$/)
    const preview = await context.newPage()
    assert.equal(await (await preview.goto(previewHref)).text(), 'candidate version')
    await preview.close()
    await assertAccessible(page, 'the worker page with a candidate')

    const history = page.getByRole('form', { name: 'Deployments' })
    await history.getByRole('radio', { name: 'v2 (candidate)' }).check()
    await history.getByLabel('Deploy token').fill(token)
    const promoted = await clickAndWait(page, history.getByRole('button', { name: /Promote/ }))
    assert.equal(promoted.status(), 200)
    assert.match(await page.getByRole('status').first().innerText(), /Promoted/)
    assert.equal(await (await context.request.get(workerUrl)).text(), 'candidate version')
  })

  test('a reserved name is refused with the reason; the form lists the reserved names', async () => {
    await page.goto(`${suite.server.url}/upload`)
    assert.match(await page.locator('#reserved-names').innerText(), /Reserved by the platform: www, api, admin/)
    assert.match(await page.locator('#runtime-notes').innerText(), /untrusted.*no request\.cf.*Cache API/s)
    await nameField(page).fill('www')
    const refused = await submitUpload(page)
    assert.equal(refused.status(), 400)
    assert.match(await page.getByRole('alert').innerText(), /"www" is reserved by the platform/)
    assert.equal(await nameField(page).inputValue(), 'www')
    await assertAccessible(page, 'the upload form refusing a reserved name')
  })

  test('a script over the size cap gets 413 without being sent back; the other fields are kept', async () => {
    const name = uniqueName('big')
    await page.goto(`${suite.server.url}/upload`)
    await nameField(page).fill(name)
    await page.getByLabel(/^Label/).fill('too-big')
    await codeField(page).fill(`// ${'x'.repeat(2 * 1024 * 1024)}\n${helloScript('big')}`)
    const refused = await submitUpload(page)
    assert.equal(refused.status(), 413)
    assert.match(await page.getByRole('alert').innerText(), /the limit is 1\.00 MiB/)
    assert.equal(await codeField(page).inputValue(), '')
    assert.match(await page.locator('#script-withheld').innerText(), /Your browser still has it: go Back/)
    assert.equal(await nameField(page).inputValue(), name)
    assert.equal(await page.getByLabel(/^Label/).inputValue(), 'too-big')
    assert.ok((await refused.body()).length < 64 * 1024, 'the 413 page does not carry the script')
  })

  test('a 63-character name fits on a phone screen without sideways scrolling', async () => {
    // The longest valid name with no hyphen to break at: the heading, the links and the curl line must wrap.
    const name = `long${uniqueName('x').replaceAll('-', '')}`.padEnd(63, 'n')
    await page.setViewportSize({ width: 390, height: 800 })
    await uploadWorker(page, suite.server.url, { name, script: helloScript('long') })
    assert.equal(await heading(page), name)
    assert.equal(await scrollsSideways(page), false, 'the worker page scrolls sideways')

    await page.goto(suite.server.url)
    assert.equal(await scrollsSideways(page), false, 'the home page scrolls sideways')
  })

  test('a TypeScript Worker pasted in the code box is built by the builder and served', async () => {
    const name = uniqueName('typed')
    await page.goto(`${suite.server.url}/upload`)
    await nameField(page).fill(name)
    await codeField(page).fill(TYPESCRIPT_WORKER)
    await page.getByLabel('Language of the code box').selectOption('ts')
    const response = await submitUpload(page)
    assert.equal(response.status(), 200)
    assert.match(page.url(), new RegExp(`/workers/${name}\\?deployed=`))
    assert.match(await page.getByRole('region', { name: 'Build' }).textContent(), /built from the project/)
    await assertAccessible(page, 'the worker page of a built project')

    const worker = await page.goto(`${suite.server.url}/user-workers/${name}`)
    assert.equal(await worker.text(), 'typed 42')
  })

  test('a TypeScript build error shows file:line:column, with the code kept', async () => {
    const name = uniqueName('typed-error')
    const broken = 'export default {\n  fetch(): Response { return new Response("x") }\n}}\n'
    await page.goto(`${suite.server.url}/upload`)
    await nameField(page).fill(name)
    await codeField(page).fill(broken)
    await page.getByLabel('Language of the code box').selectOption('ts')
    const response = await submitUpload(page)
    assert.equal(response.status(), 400)
    assert.match(await page.getByRole('alert').textContent(), /worker\.ts:3:2: /)
    assert.equal(await codeField(page).inputValue(), broken)
    assert.equal(await page.getByLabel('Language of the code box').inputValue(), 'ts')
  })

  for (const javaScriptEnabled of [false, true]) {
    test(`a TypeScript Worker and a .zip project deploy from the form with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, async () => {
      const own = await suite.browser.newContext({ javaScriptEnabled })
      try {
        const page = await own.newPage()
        const typed = uniqueName('typed-form')
        await page.goto(`${suite.server.url}/upload`)
        await nameField(page).fill(typed)
        await codeField(page).fill(TYPESCRIPT_WORKER)
        await page.getByLabel('Language of the code box').selectOption('tsx')
        assert.equal((await submitUpload(page)).status(), 200)
        assert.equal(await (await page.goto(`${suite.server.url}/user-workers/${typed}`)).text(), 'typed 42')

        const name = uniqueName('zipped')
        await page.goto(`${suite.server.url}/upload`)
        await nameField(page).fill(name)
        await page.locator('#mode-project').check()
        const archive = zipSync({
          'my-app/src/index.ts': strToU8(TYPESCRIPT_WORKER),
          'my-app/public/about.txt': strToU8('about this app'),
        })
        await page.locator('#project_archive').setInputFiles({
          name: 'my-app.zip',
          mimeType: 'application/zip',
          buffer: Buffer.from(archive),
        })
        const response = await submitUpload(page)
        assert.equal(response.status(), 200)
        assert.match(await page.getByRole('region', { name: 'Build' }).textContent(), /1 files/)
        const worker = await page.goto(`${suite.server.url}/user-workers/${name}`)
        assert.equal(await worker.text(), 'typed 42')
      } finally {
        await own.close()
      }
    })
  }

  test('the upload flow works with JavaScript disabled', async () => {
    const noScript = await suite.browser.newContext({ javaScriptEnabled: false })
    try {
      const page = await noScript.newPage()
      const name = uniqueName('nojs')
      await page.goto(suite.server.url)
      await clickAndWait(page, page.getByRole('navigation').getByRole('link', { name: 'Upload' }))
      await nameField(page).fill(name)
      await codeField(page).fill(helloScript('no script needed'))
      const response = await submitUpload(page)

      assert.equal(response.status(), 200)
      assert.match(page.url(), new RegExp(`/workers/${name}\\?deployed=`))
      // Without JavaScript the copy buttons stay hidden; the token is still shown, selectable.
      assert.equal(await page.getByRole('button', { name: 'Copy token' }).count(), 0)
      assert.match(await page.locator('#deploy-token').inputValue(), /^dt_/)
      const workerResponse = await clickAndWait(page, page.getByRole('status').getByRole('link'))
      assert.equal(await workerResponse.text(), 'no script needed')
    } finally {
      await noScript.close()
    }
  })
})
