import { beforeAll, describe, expect, it } from 'vitest'
import { helloScript, platformWith, textareaContent } from '../helpers'

// Every case runs with an ADMIN_TOKEN configured, so the suite also proves it never leaks.
const ADMIN = 'admin-token-for-tests-abcdefghijklmnopqrstuvwxyz'
const call = (path: string, init?: RequestInit) => platformWith({ ADMIN_TOKEN: ADMIN }, path, init)

const VICTIM = 'victim'
let victimToken = ''

const put = (
  name: string,
  body: BodyInit,
  headers: Record<string, string> = { 'Content-Type': 'application/javascript' },
) => call(`/api/workers/${name}`, { method: 'PUT', headers, body })
const form = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  call('/upload', { method: 'POST', headers, body: new URLSearchParams(fields) })

interface Case {
  label: string
  send: () => Promise<Response>
  status: number
  message: string
  /** A name the request tried to create, which must be as it was before (absent, in this file's runs). */
  created?: string
}

const valid = helloScript('attack')
const CASES: Case[] = [
  // Names the platform reserves (host routing must never give them to a tenant)
  {
    label: 'API: a reserved name',
    send: () => put('www', valid),
    status: 400,
    message: 'is reserved by the platform',
    created: 'www',
  },
  {
    label: 'form: a reserved name',
    send: () => form({ name: 'admin', script: valid }),
    status: 400,
    message: 'is reserved by the platform',
    created: 'admin',
  },
  // JSON API: names
  {
    label: 'API: uppercase name',
    send: () => put('Victim', valid),
    status: 400,
    message: 'is not a valid worker name',
  },
  {
    label: 'API: dots in name',
    send: () => put('..victim', valid),
    status: 400,
    message: 'is not a valid worker name',
  },
  { label: 'API: encoded slash', send: () => put('a%2fb', valid), status: 400, message: 'is not a valid worker name' },
  {
    label: 'API: unicode look-alike',
    send: () => put('vict%D1%96m', valid),
    status: 400,
    message: 'is not a valid worker name',
  },
  {
    label: 'API: 64 characters',
    send: () => put('a'.repeat(64), valid),
    status: 400,
    message: 'is not a valid worker name',
  },
  {
    label: 'API: leading hyphen',
    send: () => put('-victim', valid),
    status: 400,
    message: 'is not a valid worker name',
  },
  {
    label: 'API: trailing hyphen',
    send: () => put('victim-', valid),
    status: 400,
    message: 'is not a valid worker name',
  },
  {
    label: 'API: double hyphen',
    send: () => put('vic--tim', valid),
    status: 400,
    message: 'is not a valid worker name',
  },
  { label: 'API: underscore', send: () => put('vic_tim', valid), status: 400, message: 'is not a valid worker name' },
  {
    label: 'API: script tag name',
    send: () => put('%3Cscript%3E', valid),
    status: 400,
    message: 'is not a valid worker name',
  },
  // JSON API: bodies
  {
    label: 'API: empty body',
    send: () => put('fresh-a', ''),
    status: 400,
    message: 'The script is empty',
    created: 'fresh-a',
  },
  {
    label: 'API: blank body',
    send: () => put('fresh-b', ' \n\t'),
    status: 400,
    message: 'The script is empty',
    created: 'fresh-b',
  },
  {
    label: 'API: malformed JSON',
    send: () => put('fresh-c', '{"script":', { 'Content-Type': 'application/json' }),
    status: 400,
    message: 'not valid JSON',
    created: 'fresh-c',
  },
  {
    label: 'API: JSON array',
    send: () => put('fresh-d', '[1]', { 'Content-Type': 'application/json' }),
    status: 400,
    message: 'The JSON body needs a',
    created: 'fresh-d',
  },
  {
    label: 'API: JSON number script',
    send: () => put('fresh-e', '{"script":5}', { 'Content-Type': 'application/json' }),
    status: 400,
    message: 'The JSON body needs a',
    created: 'fresh-e',
  },
  {
    label: 'API: syntax error',
    send: () => put('fresh-f', 'export default {'),
    status: 400,
    message: 'SyntaxError',
    created: 'fresh-f',
  },
  {
    label: 'API: no fetch export',
    send: () => put('fresh-g', 'export const x = 1'),
    status: 400,
    message: 'no fetch handler',
    created: 'fresh-g',
  },
  {
    label: 'API: throws at startup',
    send: () => put('fresh-h', 'throw new Error("nope")'),
    status: 400,
    message: 'nope',
    created: 'fresh-h',
  },
  {
    label: 'API: over the size cap',
    send: () => put('fresh-i', `//${'x'.repeat(1024 * 1024)}`),
    status: 413,
    message: 'the limit is 1.00 MiB',
    created: 'fresh-i',
  },
  {
    label: 'API: body far over the cap',
    send: () => put('fresh-j', 'x'.repeat(4 * 1024 * 1024)),
    status: 413,
    message: 'too large',
    created: 'fresh-j',
  },
  // JSON API: ownership
  { label: 'API: update without token', send: () => put(VICTIM, valid), status: 403, message: 'give its deploy token' },
  {
    label: 'API: update with wrong token',
    send: () => put(VICTIM, valid, { Authorization: 'Bearer dt_guess' }),
    status: 401,
    message: 'That token is not valid',
  },
  {
    label: 'API: update with malformed auth header',
    send: () => put(VICTIM, valid, { Authorization: 'Basic abc' }),
    status: 403,
    message: 'give its deploy token',
  },
  {
    label: 'API: delete without token',
    send: () => call(`/api/workers/${VICTIM}`, { method: 'DELETE' }),
    status: 403,
    message: 'give its deploy token',
  },
  {
    label: 'API: delete with wrong token',
    send: () => call(`/api/workers/${VICTIM}`, { method: 'DELETE', headers: { Authorization: 'Bearer x' } }),
    status: 401,
    message: 'That token is not valid',
  },
  {
    label: 'API: delete unknown worker',
    send: () => call('/api/workers/fresh-k', { method: 'DELETE' }),
    status: 404,
    message: 'no worker named',
  },
  {
    label: 'API: get invalid name',
    send: () => call('/api/workers/BAD'),
    status: 400,
    message: 'is not a valid worker name',
  },
  {
    label: 'API: unknown route',
    send: () => call('/api/whatever', { method: 'POST' }),
    status: 404,
    message: 'Nothing lives at',
  },
  // Upload form
  {
    label: 'form: script tag in name',
    send: () => form({ name: '"><script>alert(1)</script>', script: valid }),
    status: 400,
    message: 'is not a valid worker name',
  },
  {
    label: 'form: name too long',
    send: () => form({ name: 'b'.repeat(64), script: valid }),
    status: 400,
    message: 'is not a valid worker name',
  },
  { label: 'form: missing name', send: () => form({ script: valid }), status: 400, message: 'Give the worker a name' },
  {
    label: 'form: empty script',
    send: () => form({ name: 'fresh-l', script: '' }),
    status: 400,
    message: 'The script is empty',
    created: 'fresh-l',
  },
  {
    label: 'form: syntax error',
    send: () => form({ name: 'fresh-m', script: 'export default { fetch() {' }),
    status: 400,
    message: 'SyntaxError',
    created: 'fresh-m',
  },
  {
    label: 'form: update without token',
    send: () => form({ name: VICTIM, script: valid }),
    status: 403,
    message: 'give its deploy token',
  },
  {
    label: 'form: update with wrong token',
    send: () => form({ name: VICTIM, script: valid, token: 'dt_guess' }),
    status: 401,
    message: 'That token is not valid',
  },
  {
    label: 'form: malformed multipart',
    send: () =>
      call('/upload', {
        method: 'POST',
        headers: { 'Content-Type': 'multipart/form-data; boundary=zzz' },
        body: 'garbage',
      }),
    status: 400,
    message: 'could not be read',
  },
  {
    label: 'form: cross-origin post',
    send: () => form({ name: 'fresh-n', script: valid }, { Origin: 'https://evil.example' }),
    status: 403,
    message: 'can only be submitted',
    created: 'fresh-n',
  },
  {
    label: 'form: delete with wrong token',
    send: () => call(`/workers/${VICTIM}/delete`, { method: 'POST', body: new URLSearchParams({ token: 'no' }) }),
    status: 401,
    message: 'That token is not valid',
  },
  {
    label: 'form: cross-origin delete',
    send: () =>
      call(`/workers/${VICTIM}/delete`, {
        method: 'POST',
        headers: { Origin: 'https://evil.example' },
        body: new URLSearchParams({ token: 'no' }),
      }),
    status: 403,
    message: 'can only be submitted',
  },
  // Dispatch
  { label: 'dispatch: uppercase', send: () => call('/user-workers/VICTIM'), status: 404, message: 'No such worker' },
  {
    label: 'dispatch: dots in name',
    send: () => call('/user-workers/victim../x'),
    status: 404,
    message: 'No such worker',
  },
  {
    label: 'dispatch: encoded slash',
    send: () => call('/user-workers/victim%2fx'),
    status: 404,
    message: 'No such worker',
  },
  {
    label: 'dispatch: look-alike',
    send: () => call('/user-workers/vict%D1%96m'),
    status: 404,
    message: 'No such worker',
  },
  { label: 'dispatch: empty name', send: () => call('/user-workers//victim'), status: 404, message: 'No such worker' },
]

async function victimState() {
  const record = await (await call(`/api/workers/${VICTIM}`)).json()
  const served = await (await call(`/user-workers/${VICTIM}`)).text()
  return { record, served }
}

beforeAll(async () => {
  const res = await put(VICTIM, helloScript('victim v1'))
  expect(res.status).toBe(201)
  victimToken = (await res.json<{ token: string }>()).token
})

describe(`bad input (${CASES.length} cases): right status and message, nothing changed, nothing leaked`, () => {
  it.each(CASES)('$label → $status', async ({ send, status, message, created }) => {
    const before = await victimState()
    // Another file may hold the name already (isolation.test.ts deploys "www" before reserving it):
    // the request must leave it as it was, absent or not.
    const createdBefore = created && (await call(`/api/workers/${created}`)).status
    const res = await send()
    const body = await res.text()
    expect(res.status).toBe(status)
    expect(body).toContain(message)
    expect(body).not.toContain(ADMIN)
    expect(body).not.toContain(victimToken)
    expect(await victimState()).toEqual(before)
    if (created) expect((await call(`/api/workers/${created}`)).status).toBe(createdBefore)
  })

  it('has at least 30 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30)
  })
})

describe('escaping of user-controlled text', () => {
  const PAYLOAD = '"><script>alert(1)</script><img src=x onerror=alert(2)>'

  it('renders a hostile name escaped in the re-rendered form', async () => {
    const html = await (await form({ name: PAYLOAD, script: valid })).text()
    expect(html).not.toContain('<script>alert(1)')
    expect(html).not.toContain('<img src=x')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  it('keeps a script that tries to close the textarea as text', async () => {
    const script = `</textarea><script>alert(1)</script>${PAYLOAD}`
    const html = await (await form({ name: 'fresh-escape', script })).text()
    expect(html).not.toContain('</textarea><script>')
    expect(textareaContent(html)).toBe(script)
  })

  it('escapes a hostile path in the 404 page', async () => {
    const html = await (await call('/%3Cscript%3Ealert(1)%3C/script%3E')).text()
    expect(html).not.toContain('<script>alert(1)')
  })

  it('escapes the runtime message of a rejected script', async () => {
    const html = await (
      await form({ name: 'fresh-runtime', script: 'throw new Error("<b onmouseover=alert(1)>x</b>")' })
    ).text()
    expect(html).not.toContain('<b onmouseover')
    expect(html).toContain('&lt;b onmouseover=alert(1)&gt;')
  })
})
