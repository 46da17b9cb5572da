import { describe, expect, it, beforeEach } from 'vitest'
import { CLOUDFLARE_DOUBLE } from '../doubles/constants'
import { ECHO_SCRIPT, helloScript, inputValue, textareaContent, uniqueName, uploadFormWithCode } from '../helpers'
import { MODULE_FILES, MODULE_RESULT, multipart } from '../fixtures/modules'
import {
  callWatchingForTheToken,
  dispatchOptions,
  DOUBLE,
  failNext,
  namespaceEnv,
  recorded,
  resetDouble,
  type NamespaceEnv,
  type RecordedRequest,
} from './namespace-double'

// The real Cloudflare API is covered by a test double (test/doubles/cloudflare-api.js) that the
// platform reaches at CLOUDFLARE_API_BASE_URL, and the `dispatcher` binding (which cannot run
// locally) by a stand-in that runs the scripts the double received through the Worker Loader
// (namespace-double.ts).

/** The fields of an upload's metadata part that these tests read. */
interface UploadMetadata {
  main_module?: string
  body_part?: string
  tail_consumers?: { service: string }[]
  bindings?: { type: string; name: string; text: string }[]
}

/** The metadata part of a recorded upload, parsed. */
function metadataOf(upload: RecordedRequest | undefined): UploadMetadata {
  const part = upload?.parts.find((entry) => entry.field === 'metadata')
  if (!part) throw new Error('the upload has no metadata part')
  return JSON.parse(part.content) as UploadMetadata
}

/** The namespace with the outbound Worker wired (wrangler.jsonc's `outbound` + DISPATCH_OUTBOUND_WORKER). */
const withOutbound: NamespaceEnv = { ...namespaceEnv, DISPATCH_OUTBOUND_WORKER: 'workers-for-platforms-outbound' }

// Every response of this suite and every line the platform logs is checked for the API token.
const { call } = callWatchingForTheToken(20)

const put = (name: string, script: string, token?: string) =>
  call(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/javascript', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: script,
  })

beforeEach(async () => {
  await resetDouble()
})

describe('dispatch-namespace backend', () => {
  it('is chosen automatically when credentials are set, and says so on the home page', async () => {
    const html = await (await call('/')).text()
    expect(html).toContain('dispatch-namespace')
    expect(html).toContain('CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID are set')
  })

  it('uploads with PUT …/scripts/{workerId}: Bearer token, metadata part and an ES module part', async () => {
    const name = uniqueName('ns')
    const script = helloScript('from the namespace')
    const res = await put(name, script)
    expect(res.status).toBe(201)
    const { workerId } = await res.json<{ workerId: string }>()

    const [upload] = await recorded()
    expect(upload).toBeDefined()
    expect(upload!.method).toBe('PUT')
    expect(upload!.path).toBe(
      `/client/v4/accounts/${CLOUDFLARE_DOUBLE.accountId}/workers/dispatch/namespaces/${CLOUDFLARE_DOUBLE.namespace}/scripts/${workerId}`,
    )
    expect(upload!.authorization).toBe(`Bearer ${CLOUDFLARE_DOUBLE.token}`)
    expect(upload!.contentType).toMatch(/^multipart\/form-data; boundary=/)

    const metadata = upload!.parts.find((part) => part.field === 'metadata')
    expect(JSON.parse(metadata!.content)).toEqual({
      main_module: 'worker.js',
      compatibility_date: '2026-11-01',
      tags: [`name:${name}`, expect.stringMatching(/^owner:o-[A-Za-z0-9_-]{12}$/)],
      bindings: [],
    })
    const module = upload!.parts.find((part) => part.field === 'worker.js')
    expect(module).toMatchObject({ filename: 'worker.js', type: 'application/javascript+module', content: script })
  })

  it('names the dispatch Worker as tail consumer when TAIL_CONSUMER is set, so logs reach the platform', async () => {
    const environment = { ...namespaceEnv, TAIL_CONSUMER: 'workers-for-platforms' }
    const res = await call(
      `/api/workers/${uniqueName('ns-tail')}`,
      { method: 'PUT', body: helloScript('x') },
      environment,
    )
    expect(res.status).toBe(201)
    const [upload] = await recorded()
    const metadata = metadataOf(upload)
    expect(metadata.tail_consumers).toEqual([{ service: 'workers-for-platforms' }])
  })

  it('uploads service-worker syntax with body_part and application/javascript', async () => {
    const name = uniqueName('ns-sw')
    const script = 'addEventListener("fetch", (e) => e.respondWith(new Response("sw")))'
    expect((await put(name, script)).status).toBe(201)
    const [upload] = await recorded()
    const metadata = metadataOf(upload)
    expect(metadata.body_part).toBe('worker.js')
    expect(metadata).not.toHaveProperty('main_module')
    expect(upload!.parts.find((part) => part.field === 'worker.js')?.type).toBe('application/javascript')
  })

  it('uploads every file of a multi-module worker with its content type, plus the platform module', async () => {
    const form = new FormData()
    form.append('main', 'main.mjs')
    form.append(
      'f',
      new File(['import data from "./data.json"; export default { fetch: () => Response.json(data) }'], 'main.mjs'),
    )
    form.append('f', new File(['{"ok":true}'], 'data.json'))
    form.append('f', new File(['hi'], 'note.txt'))
    expect((await call(`/api/workers/${uniqueName('ns-multi')}`, { method: 'PUT', body: form })).status).toBe(201)
    const [upload] = await recorded()
    const types = Object.fromEntries(
      upload!.parts.filter((part) => part.field !== 'metadata').map((part) => [part.field, part.type]),
    )
    expect(types).toEqual({
      'main.mjs': 'application/javascript+module',
      'data.json': 'application/javascript+module',
      'note.txt': 'text/plain',
      'platform.js': 'application/javascript+module',
    })
    expect(metadataOf(upload).main_module).toBe('main.mjs')
  })

  it('dispatches through the dispatcher binding with the path rewritten', async () => {
    const name = uniqueName('ns-echo')
    await put(name, ECHO_SCRIPT)
    const res = await call(`/user-workers/${name}/deep/path?q=1`, {
      method: 'PATCH',
      body: 'hi',
      headers: { 'X-Custom': 'yes' },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      method: 'PATCH',
      path: '/deep/path',
      search: '?q=1',
      prefix: `/user-workers/${name}`,
      custom: 'yes',
      body: 'hi',
    })
  })

  it('shows a Cloudflare API error (code and message) in the form with 502, code kept, token never shown', async () => {
    await failNext(500, [{ code: 10013, message: 'An unknown error occurred while uploading' }])
    const name = uniqueName('ns-fail')
    const script = helloScript('never deployed')
    const form = new FormData()
    form.append('name', name)
    form.append('script', script)
    const res = await call('/upload', { method: 'POST', body: form })
    expect(res.status).toBe(502)
    const html = await res.text()
    expect(html).toContain('Cloudflare API error 10013: An unknown error occurred while uploading')
    expect(textareaContent(html)).toBe(script)
    expect(inputValue(html, 'name')).toBe(name)
    expect(html).not.toContain(CLOUDFLARE_DOUBLE.token)
    expect((await call(`/user-workers/${name}`)).status).toBe(404)
  })

  it('answers the API with 502 and the API error when Cloudflare refuses the credentials', async () => {
    const res = await put(uniqueName('ns-auth'), helloScript('x'))
    expect(res.status).toBe(201)
    const wrongToken = { ...namespaceEnv, CLOUDFLARE_API_TOKEN: 'not-the-token' }
    const refused = await call(
      `/api/workers/${uniqueName('ns-auth')}`,
      { method: 'PUT', body: helloScript('x') },
      wrongToken,
    )
    expect(refused.status).toBe(502)
    const body = await refused.text()
    expect(JSON.parse(body)).toEqual({
      error: { code: 'cloudflare_api_error', message: 'Cloudflare API error 10000: Authentication error' },
    })
    expect(body).not.toContain('not-the-token')
  })

  it('renders an API error message escaped', async () => {
    await failNext(500, [{ code: 10013, message: '<img src=x onerror=alert(1)>' }])
    const res = await call('/upload', {
      method: 'POST',
      body: new URLSearchParams({ name: uniqueName('ns-xss'), script: helloScript('x') }),
    })
    expect(res.status).toBe(502)
    const html = await res.text()
    expect(html).not.toContain('<img src=x')
    expect(html).toContain('Cloudflare API error 10013: &lt;img src=x onerror=alert(1)&gt;')
  })

  it('treats a validation error from Cloudflare as the script being rejected (400)', async () => {
    await failNext(400, [{ code: 10021, message: 'Uncaught ReferenceError: foo is not defined' }])
    const res = await put(uniqueName('ns-rejected'), helloScript('x'))
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      error: {
        code: 'script_rejected',
        message: 'Cloudflare API error 10021: Uncaught ReferenceError: foo is not defined',
      },
    })
  })

  it('rejects a syntax error before calling Cloudflare and keeps the old version', async () => {
    const name = uniqueName('ns-stable')
    await put(name, helloScript('v1'))
    const res = await put(name, 'export default { fetch() {')
    expect(res.status).toBe(400)
    expect((await recorded()).filter((request) => request.method === 'PUT')).toHaveLength(1)
    expect(await (await call(`/user-workers/${name}`)).text()).toBe('v1')
  })

  it('rolls back by flipping the mapping, without uploading again', async () => {
    const name = uniqueName('ns-rollback')
    const first = await (await put(name, helloScript('v1'))).json<{ workerId: string; token: string }>()
    await put(name, helloScript('v2'), first.token)
    const uploads = (await recorded()).length
    const res = await call(`/api/workers/${name}/rollback`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${first.token}` },
      body: JSON.stringify({ deployment: first.workerId }),
    })
    expect(res.status).toBe(200)
    expect((await recorded()).length).toBe(uploads)
    expect(await (await call(`/user-workers/${name}`)).text()).toBe('v1')
  })

  it('serves a candidate (promote=false) only at its preview URL, then promotes it without uploading again', async () => {
    const name = uniqueName('ns-candidate')
    const first = await (await put(name, helloScript('v1'))).json<{ workerId: string; token: string }>()
    const candidate = await call(`/api/workers/${name}?promote=false`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/javascript', Authorization: `Bearer ${first.token}` },
      body: helloScript('v2'),
    })
    const { deployments } = await candidate.json<{ deployments: { workerId: string; preview: { url: string } }[] }>()
    expect(await (await call(`/user-workers/${name}`)).text()).toBe('v1')
    expect(await (await call(`${deployments[0]!.preview.url}/`)).text()).toBe('v2')
    const uploads = (await recorded()).length
    const res = await call(`/api/workers/${name}/promote`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${first.token}` },
      body: JSON.stringify({ deployment: deployments[0]!.workerId }),
    })
    expect(res.status).toBe(200)
    expect((await recorded()).length).toBe(uploads)
    expect(await (await call(`/user-workers/${name}`)).text()).toBe('v2')
  })

  it('uploads vars as plain_text and secrets as secret_text bindings, and keeps secrets across updates', async () => {
    const name = uniqueName('ns-env')
    const body = { script: helloScript('x'), vars: { MODE: 'prod' }, secrets: { KEY: 'ns-secret-value' } }
    const first = await call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
    const { token } = await first.json<{ token: string }>()
    await put(name, helloScript('y'), token)
    const uploads = (await recorded()).filter((request) => request.method === 'PUT')
    expect(uploads).toHaveLength(2)
    for (const upload of uploads) {
      const metadata = metadataOf(upload)
      expect(metadata.bindings).toEqual([
        { type: 'plain_text', name: 'MODE', text: 'prod' },
        { type: 'secret_text', name: 'KEY', text: 'ns-secret-value' },
      ])
    }
  })

  it('dispatches with the worker’s limits and egress policy (for the outbound Worker)', async () => {
    const name = uniqueName('ns-limits')
    const body = {
      script: helloScript('x'),
      limits: { cpuMs: 25, subRequests: 5 },
      egress: { mode: 'allow-list', hosts: ['example.com'] },
    }
    const res = await call(
      `/api/workers/${name}`,
      { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
      withOutbound,
    )
    const { workerId } = await res.json<{ workerId: string }>()
    await (await call(`/user-workers/${name}`, undefined, withOutbound)).text()
    expect(dispatchOptions.get(workerId)).toEqual({
      limits: { cpuMs: 25, subRequests: 5 },
      // The outbound Worker's parameters: the policy, the hop count, the platform's own hosts.
      outbound: {
        egress: JSON.stringify({ mode: 'allow-list', hosts: ['example.com'] }),
        hops: '0',
        platformHosts: 'platform.test',
      },
    })
  })

  it.each([
    ['block-all', { mode: 'block-all' }],
    ['an allow-list', { mode: 'allow-list', hosts: ['example.com'] }],
  ])(
    'refuses %s (400 invalid_settings) while no outbound Worker is wired, and says so on the pages',
    async (_, egress) => {
      const name = uniqueName('ns-no-outbound')
      const body = JSON.stringify({ script: helloScript('x'), egress })
      const json = { 'Content-Type': 'application/json' }
      const res = await call(`/api/workers/${name}`, { method: 'PUT', headers: json, body })
      expect(res.status).toBe(400)
      const { error } = await res.json<{ error: { code: string; message: string } }>()
      expect(error.code).toBe('invalid_settings')
      expect(error.message).toContain('no outbound Worker to enforce them')
      expect(await recorded()).toEqual([])
      expect((await call(`/user-workers/${name}`)).status).toBe(404)

      for (const page of ['/', '/upload']) {
        expect(await (await call(page)).text()).toContain('Egress policies are off on this platform.')
        expect(await (await call(page, undefined, withOutbound)).text()).not.toContain('Egress policies are off')
      }
      const wired = await call(`/api/workers/${name}`, { method: 'PUT', headers: json, body }, withOutbound)
      expect(wired.status).toBe(201)
    },
  )

  it('answers 503 naming the limit when a user Worker exceeds it', async () => {
    const name = uniqueName('ns-cpu')
    await put(name, 'export default { fetch() { /* SIMULATE_CPU_LIMIT */ return new Response("x") } }')
    const res = await call(`/user-workers/${name}`)
    expect(res.status).toBe(503)
    expect(await res.text()).toContain('exceeded its CPU time limit (50 ms per request)')
  })

  it('deletes every script of a worker through the API', async () => {
    const name = uniqueName('ns-delete')
    const first = await (await put(name, helloScript('v1'))).json<{ workerId: string; token: string }>()
    const second = await (await put(name, helloScript('v2'), first.token)).json<{ workerId: string }>()
    const res = await call(`/api/workers/${name}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${first.token}` },
    })
    expect(res.status).toBe(200)
    const deletes = (await recorded())
      .filter((request) => request.method === 'DELETE')
      .map((request) => request.path.split('/').pop())
    expect(deletes.sort()).toEqual([first.workerId, second.workerId].sort())
    expect((await call(`/user-workers/${name}`)).status).toBe(404)
  })

  it('answers 502 when the mapping points at a script the namespace no longer has', async () => {
    const name = uniqueName('ns-missing')
    await put(name, helloScript('x'))
    await fetch(`${DOUBLE}/reset`, { method: 'POST' })
    const res = await call(`/user-workers/${name}`)
    expect(res.status).toBe(502)
    expect(await res.text()).toContain('missing from the dispatch namespace')
  })

  it('answers 503 with a clear message when the dispatcher binding is missing', async () => {
    const name = uniqueName('ns-nobinding')
    await put(name, helloScript('x'))
    const res = await call(`/user-workers/${name}`, undefined, { ...namespaceEnv, dispatcher: undefined })
    expect(res.status).toBe(503)
    expect(await res.text()).toContain('--env dispatch-namespace')
  })
  it('runs JSON, text and WASM imports: a JSON module goes up as an ES module the API accepts, under its own name', async () => {
    const name = uniqueName('ns-modules')
    const res = await call(`/api/workers/${name}`, {
      method: 'PUT',
      body: multipart(MODULE_FILES, { main: 'main.mjs' }),
    })
    expect(res.status).toBe(201)
    const [upload] = await recorded()
    const json = upload!.parts.find((part) => part.field === 'data.json')
    expect(json).toMatchObject({ filename: 'data.json', type: 'application/javascript+module' })
    expect(await (await call(`/user-workers/${name}`)).json()).toEqual(MODULE_RESULT)
  })

  it('the API double refuses a module part typed application/json, as the real API does', async () => {
    const form = new FormData()
    form.append('metadata', new Blob([JSON.stringify({ main_module: 'a.js' })], { type: 'application/json' }))
    form.append('a.js', new File(['export default {}'], 'a.js', { type: 'application/javascript+module' }))
    form.append('d.json', new File(['{}'], 'd.json', { type: 'application/json' }))
    const path = `accounts/${CLOUDFLARE_DOUBLE.accountId}/workers/dispatch/namespaces/${CLOUDFLARE_DOUBLE.namespace}/scripts/x`
    const res = await fetch(`${CLOUDFLARE_DOUBLE.baseUrl}/${path}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${CLOUDFLARE_DOUBLE.token}` },
      body: form,
    })
    expect(res.status).toBe(400)
    const body = await res.json<{ success: boolean; errors: { code: number; message: string }[] }>()
    expect(body.success).toBe(false)
    expect(body.errors[0]?.message).toContain('module files has unsupported Content-Type')
  })

  it('refuses a service-worker script with other files (400) before calling Cloudflare', async () => {
    const files = {
      'worker.js': 'addEventListener("fetch", (e) => e.respondWith(new Response("sw")))',
      'lib.js': 'export const x = 1',
    }
    const res = await call(`/api/workers/${uniqueName('ns-sw-files')}`, { method: 'PUT', body: multipart(files) })
    expect(res.status).toBe(400)
    expect((await res.json<{ error: { message: string } }>()).error.message).toContain('service-worker syntax')
    expect(await recorded()).toEqual([])
  })

  it('dispatches a service-worker script uploaded with body_part', async () => {
    const name = uniqueName('ns-sw-run')
    await put(name, 'addEventListener("fetch", (e) => e.respondWith(new Response("sw in a namespace")))')
    expect(await (await call(`/user-workers/${name}`)).text()).toBe('sw in a namespace')
  })
  it('prefills "upload a new version" with the code read back from the namespace (GET …/content)', async () => {
    const name = uniqueName('ns-prefill')
    const script = helloScript('in the namespace')
    const { token } = await (await put(name, script)).json<{ token: string }>()
    const html = await (await uploadFormWithCode(name, token, call)).text()
    expect(textareaContent(html)).toBe(script)
    const reads = (await recorded()).filter((request) => request.method === 'GET')
    expect(reads.map((request) => request.path.split('/').slice(-1)[0])).toEqual(['content'])
  })

  it('reads a multi-module worker back with its JSON module as uploaded, and names its files', async () => {
    const name = uniqueName('ns-prefill-multi')
    const uploaded = await call(`/api/workers/${name}`, {
      method: 'PUT',
      body: multipart(MODULE_FILES, { main: 'main.mjs' }),
    })
    const { token } = await uploaded.json<{ token: string }>()
    const html = await (await uploadFormWithCode(name, token, call)).text()
    expect(inputValue(html, 'main')).toBe('main.mjs')
    expect(html).toContain('5 files (main.mjs, lib.js, data.json, banner.txt, add.wasm)')
  })

  it('shows the example, saying so, when the namespace cannot give the code back', async () => {
    const name = uniqueName('ns-prefill-down')
    const { token } = await (await put(name, helloScript('x'))).json<{ token: string }>()
    await failNext(500, [{ code: 10013, message: 'An unknown error occurred' }])
    const res = await uploadFormWithCode(name, token, call)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(textareaContent(html)).toContain('async fetch(request, env, ctx)')
    expect(html).toContain('could not be loaded just now')
  })
  describe('trusted or untrusted (USER_WORKERS_TRUSTED vs the namespace’s trusted_workers)', () => {
    const setNamespaceTrust = (trusted: boolean) =>
      fetch(`${DOUBLE}/namespace`, { method: 'POST', body: JSON.stringify({ trusted_workers: trusted }) })
    const namespaceReads = async () =>
      (await recorded()).filter((request) => request.path.endsWith(`/namespaces/${CLOUDFLARE_DOUBLE.namespace}`))

    it('says nothing when they agree (both untrusted by default), and reads the namespace once a minute', async () => {
      const fresh = { ...namespaceEnv }
      for (let i = 0; i < 3; i++)
        expect(await (await call('/', undefined, fresh)).text()).not.toContain('namespace-trust')
      expect(await namespaceReads()).toHaveLength(1)
    })

    it('says so on the home page when they disagree, in either direction', async () => {
      await setNamespaceTrust(true)
      const html = await (await call('/', undefined, { ...namespaceEnv })).text()
      expect(html).toContain('id="namespace-trust"')
      expect(html).toContain('has <code>trusted_workers: true</code>')
      await setNamespaceTrust(false)
      const trusted = await (await call('/', undefined, { ...namespaceEnv, USER_WORKERS_TRUSTED: 'true' })).text()
      expect(trusted).toContain('has <code>trusted_workers: false</code>')
      expect(trusted).toContain('{ &quot;trusted_workers&quot;: true }')
    })

    it('keeps the home page up when the API cannot be read, saying the check failed', async () => {
      await failNext(503, [{ code: 10013, message: 'Service unavailable' }])
      const res = await call('/', undefined, { ...namespaceEnv })
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('Could not read whether the namespace')
    })
  })
})
