import { Validator, type Schema } from '@cfworker/json-schema'
import { describe, expect, it } from 'vitest'
import { deployNew, platform, uniqueName } from '../helpers'
import { anyFailure, operations, type OperationId, type OperationSchemas } from './openapi-schemas'

// "Every response validates against Cloudflare's OpenAPI schema for its operation": each operation
// /client/v4 serves (routes/client-api.ts, client-api-storage.ts), called as the other client-api
// tests call it, its 2xx and its 4XX answer validated against the schemas of openapi-schemas.ts. A row
// marked `successFails` is a known mismatch (it.fails): the comment says what the route lacks; drop the
// mark once it answers so.

const ACCOUNT = '/client/v4/accounts/any-account'
const BASE = `${ACCOUNT}/workers`
const SCRIPT = (name: string) => `${BASE}/scripts/${name}`
const NAMESPACED = (name: string) => `${BASE}/dispatch/namespaces/any-namespace/scripts/${name}`

const WORKER = 'export default { fetch: () => new Response("ok"), scheduled() {} };'

interface Answer {
  status: number
  body: unknown
}

/** Calls the platform and reads its JSON answer. */
async function call(path: string, init: RequestInit = {}, token?: string): Promise<Answer> {
  const headers = new Headers(init.headers)
  if (token) headers.set('Authorization', `Bearer ${token}`)
  const res = await platform(path, { ...init, headers })
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status} with no JSON: ${text.slice(0, 200)}`)
  }
  return { status: res.status, body }
}

function json(method: string, body: unknown): RequestInit {
  return { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
}

/** An account's API token (POST /api/accounts), as wrangler's CLOUDFLARE_API_TOKEN. */
async function newAccountToken(): Promise<string> {
  const res = await platform('/api/accounts', json('POST', { name: 'openapi' }))
  return (await res.json<{ token: { value: string } }>()).token.value
}

/** A deployed worker and its owner's token. */
async function deployed(): Promise<{ name: string; token: string }> {
  const name = uniqueName('oa')
  return { name, token: (await deployNew(name, WORKER)).token }
}

/** A script upload as wrangler sends one (test/client-api/scripts.test.ts). */
function upload(metadata: Record<string, unknown> | null): FormData {
  const form = new FormData()
  if (metadata) {
    form.set(
      'metadata',
      new Blob([JSON.stringify({ main_module: 'index.js', ...metadata })], { type: 'application/json' }),
    )
  }
  form.set('index.js', new File([WORKER], 'index.js', { type: 'application/javascript+module' }))
  return form
}

/** An assets manifest of one file (test/client-api/assets.test.ts), with its hash. */
async function manifest(text: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  const hash = [...new Uint8Array(digest)]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, 32)
  return { hash, manifest: { '/index.html': { hash, size: text.length } } }
}

async function setSecret(path: string, token: string): Promise<Answer> {
  return call(`${path}/secrets`, json('PUT', { name: 'TOKEN', text: 's3cret', type: 'secret_text' }), token)
}

async function startTail(name: string, token?: string): Promise<Answer> {
  return call(`${SCRIPT(name)}/tails`, json('POST', { filters: [] }), token)
}

interface Row {
  operation: OperationId
  /** A call that succeeds (2xx). */
  success?: () => Promise<Answer>
  /** A call that fails (4XX); none where the operation takes nothing it could refuse. */
  failure?: () => Promise<Answer>
  /** The 2xx answer does not validate yet (it.fails). */
  successFails?: true
}

const TABLE: Row[] = [
  {
    operation: 'namespace-worker-script-worker-details',
    success: async () => call(NAMESPACED((await deployed()).name)),
    failure: () => call(NAMESPACED(uniqueName('oa'))),
  },
  {
    operation: 'namespace-worker-script-upload-worker-module',
    success: async () =>
      call(NAMESPACED(uniqueName('oa')), { method: 'PUT', body: upload({}) }, await newAccountToken()),
    failure: async () =>
      call(NAMESPACED(uniqueName('oa')), { method: 'PUT', body: upload(null) }, await newAccountToken()),
  },
  {
    operation: 'namespace-worker-script-delete-worker',
    success: async () => {
      const { name, token } = await deployed()
      return call(NAMESPACED(name), { method: 'DELETE' }, token)
    },
    failure: () => call(NAMESPACED(uniqueName('oa')), { method: 'DELETE' }),
  },
  {
    operation: 'worker-script-delete-worker',
    success: async () => {
      const { name, token } = await deployed()
      return call(SCRIPT(name), { method: 'DELETE' }, token)
    },
    failure: () => call(SCRIPT(uniqueName('oa')), { method: 'DELETE' }),
  },
  {
    operation: 'namespace-worker-get-script-content',
    failure: () => call(`${NAMESPACED(uniqueName('oa'))}/content`),
  },
  {
    operation: 'namespace-worker-script-update-create-assets-upload-session',
    success: async () =>
      call(
        `${NAMESPACED(uniqueName('oa'))}/assets-upload-session`,
        json('POST', { manifest: (await manifest('<h1>hi</h1>')).manifest }),
        await newAccountToken(),
      ),
    failure: async () =>
      call(
        `${NAMESPACED(uniqueName('oa'))}/assets-upload-session`,
        json('POST', { manifest: (await manifest('<h1>hi</h1>')).manifest }),
      ),
  },
  {
    operation: 'worker-script-update-create-assets-upload-session',
    success: async () =>
      call(
        `${SCRIPT(uniqueName('oa'))}/assets-upload-session`,
        json('POST', { manifest: (await manifest('<h1>hi</h1>')).manifest }),
        await newAccountToken(),
      ),
    failure: async () =>
      call(
        `${SCRIPT(uniqueName('oa'))}/assets-upload-session`,
        json('POST', { manifest: 'none' }),
        await newAccountToken(),
      ),
  },
  {
    operation: 'worker-assets-upload',
    success: async () => {
      const text = '<h1>hi</h1>'
      const files = await manifest(text)
      const session = await call(
        `${NAMESPACED(uniqueName('oa'))}/assets-upload-session`,
        json('POST', { manifest: files.manifest }),
        await newAccountToken(),
      )
      const { jwt } = (session.body as { result: { jwt: string } }).result
      const form = new FormData()
      form.set(files.hash, new File([btoa(text)], files.hash, { type: 'text/html' }))
      return call(`${BASE}/assets/upload?base64=true`, { method: 'POST', body: form }, jwt)
    },
    failure: () => call(`${BASE}/assets/upload?base64=true`, { method: 'POST', body: new FormData() }, 'f'.repeat(64)),
  },
  {
    operation: 'namespace-worker-list-script-secrets',
    success: async () => {
      const { name, token } = await deployed()
      await setSecret(NAMESPACED(name), token)
      return call(`${NAMESPACED(name)}/secrets`)
    },
    failure: () => call(`${NAMESPACED(uniqueName('oa'))}/secrets`),
  },
  {
    operation: 'worker-list-script-secrets',
    success: async () => {
      const { name, token } = await deployed()
      await setSecret(SCRIPT(name), token)
      return call(`${SCRIPT(name)}/secrets`)
    },
    failure: () => call(`${SCRIPT(uniqueName('oa'))}/secrets`),
  },
  {
    operation: 'namespace-worker-put-script-secrets',
    success: async () => {
      const { name, token } = await deployed()
      return setSecret(NAMESPACED(name), token)
    },
    failure: async () => {
      const { name, token } = await deployed()
      return call(`${NAMESPACED(name)}/secrets`, json('PUT', { text: 'no name' }), token)
    },
  },
  {
    operation: 'worker-put-script-secret',
    success: async () => {
      const { name, token } = await deployed()
      return setSecret(SCRIPT(name), token)
    },
    failure: async () => {
      const { name, token } = await deployed()
      return call(`${SCRIPT(name)}/secrets`, json('PUT', { text: 'no name' }), token)
    },
  },
  {
    operation: 'namespace-worker-delete-script-secret',
    success: async () => {
      const { name, token } = await deployed()
      await setSecret(NAMESPACED(name), token)
      return call(`${NAMESPACED(name)}/secrets/TOKEN`, { method: 'DELETE' }, token)
    },
    failure: async () => {
      const { name, token } = await deployed()
      return call(`${NAMESPACED(name)}/secrets/NONE`, { method: 'DELETE' }, token)
    },
  },
  {
    operation: 'worker-delete-script-secret',
    success: async () => {
      const { name, token } = await deployed()
      await setSecret(SCRIPT(name), token)
      return call(`${SCRIPT(name)}/secrets/TOKEN`, { method: 'DELETE' }, token)
    },
    failure: async () => {
      const { name, token } = await deployed()
      return call(`${SCRIPT(name)}/secrets/NONE`, { method: 'DELETE' }, token)
    },
  },
  {
    operation: 'worker-cron-trigger-get-cron-triggers',
    success: async () => {
      const { name, token } = await deployed()
      await call(`${SCRIPT(name)}/schedules`, json('PUT', [{ cron: '*/30 * * * *' }]), token)
      return call(`${SCRIPT(name)}/schedules`)
    },
    failure: () => call(`${SCRIPT(uniqueName('oa'))}/schedules`),
  },
  {
    operation: 'worker-cron-trigger-update-cron-triggers',
    success: async () => {
      const { name, token } = await deployed()
      return call(`${SCRIPT(name)}/schedules`, json('PUT', [{ cron: '*/30 * * * *' }]), token)
    },
    failure: async () => {
      const { name, token } = await deployed()
      return call(`${SCRIPT(name)}/schedules`, json('PUT', [{ cron: 'every day' }]), token)
    },
  },
  {
    operation: 'worker-tail-logs-start-tail',
    success: async () => {
      const { name, token } = await deployed()
      return startTail(name, token)
    },
    failure: async () => startTail((await deployed()).name),
  },
  {
    operation: 'worker-tail-logs-delete-tail',
    success: async () => {
      const { name, token } = await deployed()
      const { id } = ((await startTail(name, token)).body as { result: { id: string } }).result
      return call(`${SCRIPT(name)}/tails/${id}`, { method: 'DELETE' }, token)
    },
    failure: async () => {
      const { name, token } = await deployed()
      return call(`${SCRIPT(name)}/tails/none`, { method: 'DELETE' }, token)
    },
  },
  {
    operation: 'worker-script-get-settings',
    success: async () => {
      const { name, token } = await deployed()
      return call(`${SCRIPT(name)}/settings`, {}, token)
    },
    failure: () => call(`${SCRIPT(uniqueName('oa'))}/settings`),
  },
  {
    operation: 'user-api-tokens-verify-token',
    success: async () => call('/client/v4/user/tokens/verify', {}, await newAccountToken()),
    failure: () => call('/client/v4/user/tokens/verify', {}, 'at_nobody_x'),
  },
  {
    operation: 'user-user-details',
    success: async () => call('/client/v4/user', {}, await newAccountToken()),
    failure: () => call('/client/v4/user', {}, 'at_nobody_x'),
  },
  {
    operation: 'accounts-list-accounts',
    success: async () => call('/client/v4/accounts', {}, await newAccountToken()),
    failure: () => call('/client/v4/accounts', {}, 'at_nobody_x'),
  },
  {
    operation: "user'-s-account-memberships-list-memberships",
    success: async () => call('/client/v4/memberships', {}, await newAccountToken()),
    failure: () => call('/client/v4/memberships', {}, 'at_nobody_x'),
  },
  { operation: 'workers-kv-namespace-list-namespaces', success: () => call(`${ACCOUNT}/storage/kv/namespaces`) },
  {
    operation: 'workers-kv-namespace-create-a-namespace',
    success: () => call(`${ACCOUNT}/storage/kv/namespaces`, json('POST', { title: uniqueName('oa') })),
    failure: () => call(`${ACCOUNT}/storage/kv/namespaces`, json('POST', { name: 'no title' })),
  },
  { operation: 'd1-list-databases', success: () => call(`${ACCOUNT}/d1/database`) },
  {
    operation: 'd1-get-database',
    success: () => call(`${ACCOUNT}/d1/database/${uniqueName('oa')}`),
    failure: () => call(`${ACCOUNT}/d1/database/${'x'.repeat(65)}`),
  },
  {
    operation: 'd1-create-database',
    success: () => call(`${ACCOUNT}/d1/database`, json('POST', { name: uniqueName('oa') })),
    failure: () => call(`${ACCOUNT}/d1/database`, json('POST', { name: 'x'.repeat(65) })),
  },
]

/** Asserts the answer validates against the schema (listing the validator's errors) and has a status in the range. */
function expectValid(answer: Answer, schema: Schema, statuses: [number, number]) {
  const { errors } = new Validator(schema, '2020-12', false).validate(answer.body)
  const listed = errors.map((error) => `  ${error.instanceLocation} (${error.keywordLocation}): ${error.error}`)
  expect(
    listed.length,
    `the answer does not validate:\n${listed.join('\n')}\nanswer (${answer.status}): ${JSON.stringify(answer.body)}`,
  ).toBe(0)
  expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(statuses[0])
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThanOrEqual(statuses[1])
}

describe("/client/v4 answers validate against Cloudflare's OpenAPI schemas", () => {
  for (const row of TABLE) {
    const schemas: OperationSchemas = operations[row.operation]
    describe(row.operation, () => {
      const { success } = row
      if (success) {
        const test = row.successFails ? it.fails : it
        test('2xx', async () => {
          if (!schemas.success) throw new Error(`${row.operation} has no 2xx schema`)
          const status = schemas.successStatus ?? 200
          expectValid(await success(), schemas.success, [status, status])
        })
      }
      const { failure } = row
      if (failure) it('4XX', async () => expectValid(await failure(), schemas.failure, [400, 499]))
    })
  }

  describe('answers of no operation: the common failure envelope', () => {
    it('an unknown path (7003)', async () => {
      const answer = await call('/client/v4/zones')
      expectValid(answer, anyFailure, [404, 404])
      expect(answer.body).toMatchObject({ errors: [{ code: 7003 }] })
    })

    it('an unknown token (401, 10001)', async () => {
      const answer = await call(
        `${SCRIPT((await deployed()).name)}/tails`,
        json('POST', { filters: [] }),
        'at_nobody_x',
      )
      expectValid(answer, anyFailure, [401, 401])
      expect(answer.body).toMatchObject({ errors: [{ code: 10001 }] })
    })
  })
})
