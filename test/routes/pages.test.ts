import { describe, expect, it } from 'vitest'
import { MAX_MODULES } from '../../src/deploy/bundle'
import { MODULE_FILES, multipart } from '../fixtures/modules'
import {
  deployNew,
  helloScript,
  inputValue,
  platform,
  platformWith,
  postForm,
  putScript,
  textareaContent,
  uniqueName,
  uploadFormWithCode,
} from '../helpers'

describe('upload form', () => {
  it('GET /upload renders the form with name, a working example and a file input', async () => {
    const res = await platform('/upload')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toMatch(/<form[^>]*method="post"[^>]*action="\/upload"[^>]*enctype="multipart\/form-data"/)
    expect(html).toMatch(/<input[^>]*type="text"[^>]*name="name"/)
    expect(html).toMatch(/<input[^>]*type="file"[^>]*name="file"/)
    expect(textareaContent(html)).toContain('async fetch(request, env, ctx)')
    expect(html).toContain('dynamic-workers')
  })

  it('says user Workers run untrusted (no request.cf), and what the Cache API is in each mode', async () => {
    const html = await (await platform('/upload')).text()
    expect(html).toContain('run <strong>untrusted</strong>')
    expect(html).toContain('caches.open() gives each worker its own cache; caches.default is disabled')
    expect(html).toContain('The platform provides it: the Worker Loader gives isolates none.')
    const trusted = await (await platformWith({ USER_WORKERS_TRUSTED: 'true' }, '/upload')).text()
    expect(trusted).toContain('<code>request.cf</code> is passed on')
    expect(trusted).toContain('caches.default and caches.open() are shared by all workers')
  })

  it('renders both kinds’ fields shown, for browsers without JavaScript; app.js shows only the chosen kind', async () => {
    const html = await (await platform('/upload')).text()
    expect(html).toMatch(/<fieldset id="script-fields">/)
    expect(html).toMatch(/<fieldset id="project-fields">/)
    expect(html).toMatch(/<input type="radio" id="mode-script" name="mode" value="script" checked=""\/>/)
    const script = await (await platform('/assets/app.js')).text()
    expect(script).toContain('projectFields.hidden = !(scriptFields.hidden = ')
  })

  it('shows how many files one upload may have', async () => {
    expect(await (await platform('/upload')).text()).toContain(`up to ${MAX_MODULES} files`)
  })

  it('the prefilled example deploys and answers', async () => {
    const example = textareaContent(await (await platform('/upload')).text())
    const name = uniqueName('example')
    const res = await postForm({ name, script: example })
    expect(res.status).toBe(303)
    const page = await platform(res.headers.get('location')!)
    expect(await page.text()).toContain(`http://platform.test/user-workers/${name}`)
    expect(await (await platform(`/user-workers/${name}/hi`)).text()).toBe(`Hello from ${name}! You asked for /hi`)
  })

  for (const encoding of ['multipart', 'urlencoded'] as const) {
    it(`deploys from a ${encoding} post and redirects (303) to a page with the worker URL`, async () => {
      const name = uniqueName(encoding)
      const res = await postForm({ name, script: helloScript(`from ${encoding}`) }, encoding)
      expect(res.status).toBe(303)
      const location = res.headers.get('location')!
      expect(location).toMatch(new RegExp(`^/workers/${name}\\?deployed=`))

      const page = await platform(location)
      expect(page.status).toBe(200)
      const html = await page.text()
      expect(html).toContain('Deployed.')
      expect(html).toContain(`href="http://platform.test/user-workers/${name}"`)
      expect(await (await platform(`/user-workers/${name}`)).text()).toBe(`from ${encoding}`)
    })
  }

  it('uses the file input when the script field is empty', async () => {
    const name = uniqueName('file')
    const file = new File([helloScript('from a file')], 'worker.mjs', { type: 'text/javascript' })
    const res = await postForm({ name, script: '', file })
    expect(res.status).toBe(303)
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('from a file')
  })

  it('prefers pasted code over a chosen file', async () => {
    const name = uniqueName('both')
    const file = new File([helloScript('file')], 'worker.js')
    await postForm({ name, script: helloScript('textarea'), file })
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('textarea')
  })

  it('re-renders the form with the runtime message and the code kept when the script has a syntax error', async () => {
    const name = uniqueName('syntax')
    const script = 'export default {\n  fetch() { return new Response("x") }\n}}'
    const res = await postForm({ name, script })
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toContain('The worker was not deployed.')
    expect(html).toMatch(/SyntaxError/)
    expect(textareaContent(html)).toBe(script)
    expect(inputValue(html, 'name')).toBe(name)
    expect((await platform(`/user-workers/${name}`)).status).toBe(404)
  })

  it.each([
    ['an invalid name', { name: 'Not Valid', script: helloScript('x') }, 400, 'is not a valid worker name'],
    ['a missing name', { name: '', script: helloScript('x') }, 400, 'Give the worker a name'],
    ['an empty script and no file', { name: 'empty-script', script: '   ' }, 400, 'The script is empty'],
    ['no fetch handler', { name: 'no-fetch', script: 'export default {}' }, 400, 'no fetch handler'],
    ['a script that throws at startup', { name: 'boom', script: 'throw new Error("top-level")' }, 400, 'top-level'],
  ])('refuses %s with a clear message and keeps the input', async (_, fields, status, message) => {
    const res = await postForm(fields)
    expect(res.status).toBe(status)
    const html = await res.text()
    expect(html).toContain(message)
    expect(textareaContent(html)).toBe(fields.script)
    expect(inputValue(html, 'name')).toBe(fields.name)
  })

  it('refuses a 2 MB script with 413 without sending it back, keeping the other fields', async () => {
    const script = `export default { fetch() { return new Response("${'x'.repeat(2 * 1024 * 1024)}") } }`
    const name = uniqueName('big')
    const res = await postForm({ name, script, label: 'too-big', main: 'worker.js' })
    expect(res.status).toBe(413)
    const html = await res.text()
    expect(html).toContain('the limit is 1.00 MiB')
    expect(html.length).toBeLessThan(64 * 1024)
    expect(textareaContent(html)).toBe('')
    expect(html).toContain('Your browser still has it: go Back')
    expect(inputValue(html, 'name')).toBe(name)
    expect(inputValue(html, 'label')).toBe('too-big')
    expect(inputValue(html, 'main')).toBe('worker.js')
  })

  it('refuses a body far over the cap before parsing it', async () => {
    // The bound is three times the larger of the script and project caps (encodings inflate text).
    const body = new FormData()
    body.append('name', 'huge')
    body.append('script', 'x'.repeat(4 * 1024 * 1024))
    const res = await platformWith({ MAX_PROJECT_BYTES: String(1024 * 1024) }, '/upload', { method: 'POST', body })
    expect(res.status).toBe(413)
    expect(await res.text()).toContain('Upload too large')
  })
})

describe('upload a new version (/upload?name=…)', () => {
  const SECRET_IN_SOURCE = 'sk_live_written_in_the_source_0123456789'
  const withKey = `const KEY = "${SECRET_IN_SOURCE}"\n${helloScript('keyed')}`

  it('keeps the code private: without the token the form neither shows nor sends it', async () => {
    const name = uniqueName('private')
    await putScript(name, withKey)
    const res = await platform(`/upload?name=${name}`)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).not.toContain(SECRET_IN_SOURCE)
    expect(textareaContent(html)).toBe('')
    expect(html).toContain('The current version’s code is private')
    expect(html).toContain('action="/upload/current"')
    // The API describes the worker without its code, and says the code is private.
    const described = await (await platform(`/api/workers/${name}`)).text()
    expect(described).not.toContain(SECRET_IN_SOURCE)
    expect(JSON.parse(described)).toMatchObject({ settings: { publicCode: false } })
  })

  it('loads private code only with the owner’s token: a wrong or missing one is refused and shows none', async () => {
    const name = uniqueName('private-load')
    const { token } = await (await putScript(name, withKey)).json<{ token: string }>()
    const wrong = await uploadFormWithCode(name, 'not-the-token')
    expect(wrong.status).toBe(401)
    const refused = await wrong.text()
    expect(refused).toContain('That token is not valid: it is unknown, or it was revoked.')
    expect(refused).not.toContain(SECRET_IN_SOURCE)
    const missing = await platform('/upload/current', { method: 'POST', body: new URLSearchParams({ name }) })
    expect(missing.status).toBe(401)
    expect(await missing.text()).not.toContain(SECRET_IN_SOURCE)

    const loaded = await uploadFormWithCode(name, token)
    expect(loaded.status).toBe(200)
    expect(loaded.headers.get('cache-control')).toBe('no-store')
    expect(textareaContent(await loaded.text())).toBe(withKey)
  })

  it('shows the code to anyone when its owner made it public, and hides it again when they do not', async () => {
    const name = uniqueName('public')
    const put = (publicCode: boolean | undefined, token?: string) =>
      platform(`/api/workers/${name}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ script: withKey, ...(publicCode === undefined ? {} : { publicCode }) }),
      })
    const { token } = await (await put(true)).json<{ token: string }>()
    expect(textareaContent(await (await platform(`/upload?name=${name}`)).text())).toBe(withKey)
    // Kept by a new version that does not mention it; turned off by one that does.
    expect((await put(undefined, token)).status).toBe(200)
    expect(textareaContent(await (await platform(`/upload?name=${name}`)).text())).toBe(withKey)
    expect((await put(false, token)).status).toBe(200)
    expect(await (await platform(`/upload?name=${name}`)).text()).not.toContain(SECRET_IN_SOURCE)
    expect((await put('yes' as never, token)).status).toBe(400)
  })

  it('prefills the current code of a one-file worker', async () => {
    const name = uniqueName('prefill')
    const script = helloScript('current version')
    const { token } = await (await putScript(name, script)).json<{ token: string }>()
    const html = await (await uploadFormWithCode(name, token)).text()
    expect(inputValue(html, 'name')).toBe(name)
    expect(textareaContent(html)).toBe(script)
    expect(html).toContain('The box holds the code of the current version')
  })

  it('prefills a service-worker script as it was uploaded', async () => {
    const name = uniqueName('prefill-sw')
    const script = 'addEventListener("fetch", (e) => e.respondWith(new Response("sw")))'
    const { token } = await (await putScript(name, script)).json<{ token: string }>()
    expect(textareaContent(await (await uploadFormWithCode(name, token)).text())).toBe(script)
  })

  it('for several files, names them and the main module instead of filling the box', async () => {
    const name = uniqueName('prefill-multi')
    const res = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      body: multipart(MODULE_FILES, { main: 'main.mjs' }),
    })
    expect(res.status).toBe(201)
    const { token } = await res.json<{ token: string }>()
    const html = await (await uploadFormWithCode(name, token)).text()
    expect(textareaContent(html)).toBe('')
    expect(inputValue(html, 'main')).toBe('main.mjs')
    expect(html).toContain('The current version has 5 files (main.mjs, lib.js, data.json, banner.txt, add.wasm)')
    expect(html).not.toContain('platform.js,')
  })

  it('shows the example for a name that has no worker', async () => {
    const html = await (await platform(`/upload?name=${uniqueName('free')}`)).text()
    expect(textareaContent(html)).toContain('async fetch(request, env, ctx)')
    expect(html).not.toContain('id="current-code"')
  })
})

describe('home page', () => {
  it('lists workers with links and the active backend, and links to /upload', async () => {
    const name = uniqueName('listed')
    await putScript(name, helloScript('x'))
    const html = await (await platform('/')).text()
    expect(html).toContain('href="/upload"')
    expect(html).toContain(`href="/user-workers/${name}"`)
    expect(html).toContain(`href="/workers/${name}"`)
    expect(html).toContain('dynamic-workers')
    expect(html).toContain('No Cloudflare API credentials are configured')
  })

  it('says which settings still hold the .env.test placeholders, which count as unset', async () => {
    const copied = { CLOUDFLARE_API_TOKEN: 'your_api_token', CLOUDFLARE_ACCOUNT_ID: 'your_account_id' }
    const html = await (await platformWith(copied, '/')).text()
    expect(html).toContain('No Cloudflare API credentials are configured')
    expect(html).toMatch(/<code>CLOUDFLARE_API_TOKEN<\/code>, <code>CLOUDFLARE_ACCOUNT_ID<\/code> hold placeholders/)
    expect(html).toContain('treats them as unset')
    expect(await (await platform('/')).text()).not.toContain('placeholder')
  })

  it('paginates instead of loading every worker', async () => {
    await Promise.all(
      Array.from({ length: 55 }, (_, i) => putScript(`page-${String(i).padStart(3, '0')}`, helloScript('x'))),
    )
    const first = await (await platform('/')).text()
    const next = first.match(/href="(\/\?cursor=[^"]+)"/)?.[1]
    expect(next).toBeDefined()
    const rows = (html: string) => (html.match(/<tr>/g) ?? []).length - 1
    expect(rows(first)).toBe(50)
    const second = await (await platform(next!.replace(/&amp;/g, '&'))).text()
    expect(rows(second)).toBeGreaterThan(0)
    expect(second).toContain('First page')
  }, 30_000) // 55 uploads at once: about 1 s alone, over 5 s when the 2 cores are shared
})

describe('worker page', () => {
  it('shows the URL, Worker ID and a curl line; 404 for unknown workers', async () => {
    const name = uniqueName('details')
    const { workerId } = await (await putScript(name, helloScript('x'))).json<{ workerId: string }>()
    const html = await (await platform(`/workers/${name}`)).text()
    expect(html).toContain(workerId)
    expect(html).toContain(`curl http://platform.test/user-workers/${name}`)
    expect((await platform('/workers/nobody-here')).status).toBe(404)
  })

  // Under `npm run dev` a site needs its own origin: on /user-workers/<name> its /style.css reaches the platform.
  for (const host of ['localhost:8787', '127.0.0.1:8787', '[::1]:8787']) {
    it(`opened at ${host}, links the worker at <name>.localhost:8787 first, and the shared origin after`, async () => {
      const name = uniqueName('own-origin')
      const { token } = await deployNew(name, helloScript('one'))
      const candidate = await platform(`/api/workers/${name}?promote=false`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/javascript', Authorization: `Bearer ${token}` },
        body: helloScript('two'),
      })
      expect(candidate.status).toBe(200)
      const html = await (await platform(`http://${host}/workers/${name}`)).text()
      const own = `http://${name}.localhost:8787/`
      const shared = `http://${host}/user-workers/${name}`
      expect(html).toMatch(new RegExp(`<dt>URL</dt><dd><a href="${escape(own)}">`))
      expect(html).toMatch(new RegExp(`<dt>Also at</dt><dd><a href="${escape(shared)}">`))
      expect(html).toContain(`curl ${own}</code>`)
      // The candidate's preview link: its own origin too.
      expect(html).toMatch(/<a href="http:\/\/[0-9a-z]+--preview\.localhost:8787\/" aria-label="Preview v2">/)
    })
  }

  it('elsewhere, with no USER_WORKERS_DOMAIN, links only the shared origin', async () => {
    const name = uniqueName('shared-only')
    await deployNew(name, helloScript('x'))
    const html = await (await platform(`http://192.0.2.1:8787/workers/${name}`)).text()
    expect(html).toContain(`<dt>URL</dt><dd><a href="http://192.0.2.1:8787/user-workers/${name}">`)
    expect(html).not.toContain('Also at')
    expect(html).not.toContain('.localhost')
  })

  it('with USER_WORKERS_DOMAIN, links the own origin once, also when opened at 127.0.0.1', async () => {
    const name = uniqueName('domain-link')
    await deployNew(name, helloScript('x'))
    const html = await (
      await platformWith({ USER_WORKERS_DOMAIN: 'workers.test' }, `http://127.0.0.1:8787/workers/${name}`)
    ).text()
    expect(html).toContain(`<dt>URL</dt><dd><a href="http://${name}.workers.test:8787/">`)
    expect(html).not.toContain('Also at')
  })
})

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('the platform’s own stylesheet and script', () => {
  it('are served with their content types, from the platform’s own origin', async () => {
    const css = await platform('/assets/app.css')
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toMatch(/^text\/css/)
    expect(await css.text()).toContain('--accent')
    const js = await platform('/assets/app.js')
    expect(js.headers.get('content-type')).toMatch(/javascript/)
    expect(await js.text()).toContain('data-copy')
  })
})
