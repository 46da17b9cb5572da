import { beforeEach, describe, expect, it } from 'vitest'
import { SCHEDULED_MODULE } from '../../src/cron/scheduled-module'
import { backendFor } from '../../src/backends/index'
import { configFor } from '../../src/core/config'
import { CLOUDFLARE_DOUBLE } from '../doubles/constants'
import { declaredWrangler, uniqueName, uploadFormWithCode } from '../helpers'
import {
  callWatchingForTheToken,
  namespaceEnv,
  recorded,
  resetDouble,
  type NamespaceEnv,
  type RecordedRequest,
} from './namespace-double'
import { operationOf, problemsOf } from './namespace-openapi-check'
import { requestOperations, type RequestOperationId } from './namespace-openapi-schemas'

// "The requests the platform makes are valid for Cloudflare's OpenAPI schema": deploys driven through
// the dispatch-namespace backend (the public API, as the other namespace tests drive it), every request
// the API double recorded matched to its operation by method and path, and its query, token and body
// validated against what namespace-openapi-schemas.ts restates of that operation's request. A request
// of no known operation fails the test, so a new call cannot slip in unvalidated.
//
// A known mismatch is listed in KNOWN_MISMATCHES (when a passing scenario meets it) and proven by an
// `it.fails` below, whose comment says what would end it: drop both once the platform sends what the
// document asks. (An `it.fails` passes on any failure: the scenarios above it drive the same deploys
// and would show a deploy that broke for another reason.) The last test of the first group checks that
// the scenarios met every operation of the table, so it runs with the whole file.

/** Problems the platform is known to have with the document, tolerated outside their `it.fails` test. */
const KNOWN_MISMATCHES: { operation: RequestOperationId; problem: string }[] = []

const exercised = new Set<RequestOperationId>()

/**
 * Validates every request the API double recorded since the last reset: none may be of an unknown
 * operation, none may have a problem (but KNOWN_MISMATCHES, unless `strict`). Answers how many requests
 * of each operation there were, and the requests.
 */
async function validateRecorded({ strict = false } = {}) {
  const requests = await recorded()
  const unknown: string[] = []
  const invalid: string[] = []
  const counts: Partial<Record<RequestOperationId, number>> = {}
  for (const request of requests) {
    const known = operationOf(request)
    if (!known) {
      unknown.push(`${request.method} ${request.path}${request.query}`)
      continue
    }
    counts[known.id] = (counts[known.id] ?? 0) + 1
    exercised.add(known.id)
    const problems = problemsOf(request, known.operation).filter(
      (problem) =>
        strict || !KNOWN_MISMATCHES.some((known_) => known_.operation === known.id && known_.problem === problem),
    )
    if (problems.length > 0)
      invalid.push(`${known.id} (${request.method} ${request.path}):\n  ${problems.join('\n  ')}`)
  }
  expect(unknown, `requests of no operation namespace-openapi-schemas.ts knows:\n${unknown.join('\n')}`).toEqual([])
  expect(invalid, `requests that do not validate:\n${invalid.join('\n')}`).toEqual([])
  return { counts, requests }
}

/** The `metadata` of the last script upload recorded. */
function lastMetadata(requests: RecordedRequest[]): {
  bindings?: { type: string; name: string }[]
  assets?: { config?: Record<string, unknown> }
  [key: string]: unknown
} {
  const upload = requests.filter((request) => request.method === 'PUT').at(-1)
  const part = upload?.parts.find((entry) => entry.field === 'metadata')
  if (!part) throw new Error('no script upload was recorded')
  return JSON.parse(part.content) as ReturnType<typeof lastMetadata>
}

const { call } = callWatchingForTheToken(8)

/** PUT /api/workers/{name} with a JSON body, as the API's clients deploy; answers the deploy's token. */
async function deploy(name: string, body: unknown, environment: NamespaceEnv = namespaceEnv, token?: string) {
  const res = await call(
    `/api/workers/${name}`,
    {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    },
    environment,
  )
  expect(res.status, await res.clone().text()).toBeLessThan(300)
  return (await res.json<{ token?: string }>()).token
}

/** A wrangler.json the builder double reads: its declared env, and other top-level keys. */
const wrangler = (declared: Parameters<typeof declaredWrangler>[0], rest: Record<string, unknown> = {}) =>
  JSON.stringify({ ...(JSON.parse(declaredWrangler(declared)) as object), ...rest })

const WORKER = 'export default { fetch: (request, env) => new Response(env.GREETING ?? "ok") };'

const COUNTER = `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {}
export default { fetch: () => new Response("ok") };`

beforeEach(async () => {
  await resetDouble()
})

describe("the dispatch-namespace backend's requests validate against Cloudflare's OpenAPI schema", () => {
  it('a module Worker with vars, a JSON var, a secret, compatibility flags and a tail consumer', async () => {
    const withTail: NamespaceEnv = { ...namespaceEnv, TAIL_CONSUMER: 'workers-for-platforms' }
    await deploy(
      uniqueName('oa-ns-vars'),
      {
        vars: { GREETING: 'hello' },
        secrets: { API_KEY: 'not-a-real-key' },
        files: {
          'src/index.js': WORKER,
          'wrangler.json': wrangler(
            { jsonVars: { LIMITS: '{"max":3,"names":["a"]}' } },
            { compatibility_date: '2026-06-01', compatibility_flags: ['nodejs_compat'] },
          ),
        },
      },
      withTail,
    )
    const { counts, requests } = await validateRecorded()
    expect(counts).toEqual({ 'namespace-worker-script-upload-worker-module': 1 })
    const metadata = lastMetadata(requests)
    expect(metadata.bindings?.map((binding) => binding.type).sort()).toEqual(['json', 'plain_text', 'secret_text'])
    expect(metadata).toMatchObject({ main_module: 'worker.js', compatibility_flags: ['nodejs_compat'] })
    expect(metadata.tail_consumers).toEqual([{ service: 'workers-for-platforms' }])
  })

  it('a service-worker script (body_part)', async () => {
    await deploy(uniqueName('oa-ns-sw'), {
      script: 'addEventListener("fetch", (event) => event.respondWith(new Response("sw")))',
    })
    const { counts, requests } = await validateRecorded()
    expect(counts).toEqual({ 'namespace-worker-script-upload-worker-module': 1 })
    expect(lastMetadata(requests)).toMatchObject({ body_part: 'worker.js' })
  })

  it('a project with declared KV namespaces, D1 databases and a Durable Object binding', async () => {
    await deploy(uniqueName('oa-ns-stores'), {
      files: {
        'src/index.js': COUNTER,
        'wrangler.json': wrangler({
          kv: [{ binding: 'KV' }, { binding: 'AUTH_STORAGE', id: 'a1b2c3' }],
          d1: [
            { binding: 'DB', migrationsDir: 'migrations' },
            { binding: 'AUTH_DB', databaseName: 'auth', migrationsDir: 'migrations' },
          ],
          durableObjects: [{ binding: 'COUNTER', className: 'Counter' }],
        }),
      },
    })
    const { counts, requests } = await validateRecorded()
    expect(counts).toEqual({ 'namespace-worker-script-upload-worker-module': 1 })
    // On this backend each store is a service binding to the platform's entrypoints.
    expect(lastMetadata(requests).bindings).toEqual(
      ['KV', 'DB', 'AUTH_STORAGE', 'AUTH_DB', 'COUNTER'].map((name): unknown =>
        expect.objectContaining({ type: 'service', name, service: 'workers-for-platforms' }),
      ),
    )
  })

  it('a Worker with static assets, an assets binding and a config (html_handling, not_found_handling, run_worker_first, _redirects, _headers)', async () => {
    const assets = {
      html_handling: 'drop-trailing-slash',
      not_found_handling: '404-page',
      run_worker_first: ['/api/*'],
    }
    await deploy(uniqueName('oa-ns-assets'), {
      files: {
        'src/index.js': WORKER,
        'public/index.html': '<h1>home</h1>',
        'public/about.html': '<h1>about</h1>',
        'public/404.html': '<h1>not here</h1>',
        'public/app.js': 'console.log("app")',
        'public/_redirects': '/old /about 301',
        'public/_headers': '/*\n  X-Frame-Options: DENY',
        'wrangler.json': wrangler({ assetsBinding: 'ASSETS' }, { assets }),
      },
    })
    const { counts, requests } = await validateRecorded()
    expect(counts).toEqual({
      'namespace-worker-script-update-create-assets-upload-session': 1,
      // The double asks for the files in buckets of two.
      'worker-assets-upload': expect.any(Number) as number,
      'namespace-worker-script-upload-worker-module': 1,
    })
    const metadata = lastMetadata(requests)
    expect(metadata.assets?.config).toEqual({
      ...assets,
      _redirects: '/old /about 301',
      _headers: '/*\n  X-Frame-Options: DENY',
    })
    expect(metadata.bindings).toContainEqual({ type: 'assets', name: 'ASSETS' })
  })

  it('a static site without a Worker (no module parts)', async () => {
    await deploy(uniqueName('oa-ns-site'), {
      files: {
        'public/index.html': '<h1>site</h1>',
        'wrangler.json': JSON.stringify({ assets: { not_found_handling: 'single-page-application' } }),
      },
    })
    const { counts, requests } = await validateRecorded()
    expect(counts).toEqual({
      'namespace-worker-script-update-create-assets-upload-session': 1,
      'worker-assets-upload': expect.any(Number) as number,
      'namespace-worker-script-upload-worker-module': 1,
    })
    const upload = requests.find((request) => request.method === 'PUT')
    expect(upload?.parts.map((part) => part.field)).toEqual(['metadata'])
  })

  it('a Worker with crons (uploaded behind the platform’s scheduled wrapper)', async () => {
    await deploy(uniqueName('oa-ns-cron'), {
      script: 'export default { fetch: () => new Response("ok"), scheduled() {} };',
      crons: ['*/15 * * * *'],
    })
    const { counts, requests } = await validateRecorded()
    expect(counts).toEqual({ 'namespace-worker-script-upload-worker-module': 1 })
    expect(lastMetadata(requests).main_module).toBe(SCHEDULED_MODULE)
  })

  it('reading the namespace (its trust flag) and a script’s content ("Upload a new version")', async () => {
    const name = uniqueName('oa-ns-read')
    const token = await deploy(name, { script: WORKER })
    // A backend of its own: the platform's keeps the flag for a minute, so earlier tests may have read it.
    await backendFor(configFor(namespaceEnv), namespaceEnv).namespaceTrust?.()
    expect((await uploadFormWithCode(name, token!, call)).status).toBe(200)
    const { counts } = await validateRecorded()
    expect(counts).toEqual({
      'namespace-worker-script-upload-worker-module': 1,
      'namespace-worker-get-namespace': 1,
      'namespace-worker-get-script-content': 1,
    })
  })

  it('deleting a worker (every deployment’s script)', async () => {
    const name = uniqueName('oa-ns-delete')
    const token = await deploy(name, { script: WORKER })
    await deploy(name, { script: WORKER.replace('"ok"', '"v2"') }, namespaceEnv, token)
    const res = await call(`/api/workers/${name}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    const { counts } = await validateRecorded()
    expect(counts['namespace-worker-script-upload-worker-module']).toBe(2)
    expect(counts['namespace-worker-script-delete-worker']).toBeGreaterThanOrEqual(2)
  })

  // The operation's requestBody is `{ required: true, content: { application/json: {} } }`: the
  // platform sends `{}` (src/backends/cloudflare-api.ts deleteScript).
  it('DELETE …/scripts/{script_name} carries the JSON body its operation requires', async () => {
    const name = uniqueName('oa-ns-delete-body')
    const token = await deploy(name, { script: WORKER })
    await call(`/api/workers/${name}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } })
    await validateRecorded({ strict: true })
  })

  // until the document types `workers_binding_kind_json.json` as any JSON value (it says `type: object`,
  // with `x-stainless-any`, and the SDK types it `unknown`), or src/backends/dispatch-namespace.ts deploy()
  // refuses (or leaves out of the `json` bindings) JSON vars whose value is not an object: a number, a
  // boolean or an array goes up as `{ type: 'json', json: 3 }`, which `type: object` refuses.
  it.fails('JSON vars that are not objects (a number, a boolean, an array)', async () => {
    await deploy(uniqueName('oa-ns-json'), {
      files: {
        'src/index.js': WORKER,
        'wrangler.json': wrangler({ jsonVars: { MAX: '3', ON: 'true', LIST: '[1,"two"]' } }),
      },
    })
    await validateRecorded({ strict: true })
  })

  it('drove every operation of the table', () => {
    expect([...exercised].sort()).toEqual(Object.keys(requestOperations).sort())
  })
})

// The checks bite: requests the document refuses, each refused for what is wrong with it.
const SCRIPT = `/client/v4/accounts/${CLOUDFLARE_DOUBLE.accountId}/workers/dispatch/namespaces/${CLOUDFLARE_DOUBLE.namespace}/scripts/w-1`
const API_TOKEN = `Bearer ${CLOUDFLARE_DOUBLE.token}`
const request = (method: string, path: string, rest: Partial<RecordedRequest> = {}): RecordedRequest => ({
  method,
  path,
  query: '',
  authorization: API_TOKEN,
  contentType: null,
  parts: [],
  ...rest,
})
const part = (field: string, type: string, content: string) => ({ field, filename: field, type, content })
const upload = (metadata: unknown, moduleType = 'application/javascript+module') =>
  request('PUT', SCRIPT, {
    contentType: 'multipart/form-data; boundary=x',
    parts: [part('metadata', 'application/json', JSON.stringify(metadata)), part('worker.js', moduleType, '')],
  })
const session = (json: unknown, contentType = 'application/json') =>
  request('POST', `${SCRIPT}/assets-upload-session`, { contentType, json })
const bucket = (query: string, authorization = 'Bearer a.b.c') =>
  request('POST', `/client/v4/accounts/${CLOUDFLARE_DOUBLE.accountId}/workers/assets/upload`, {
    query,
    authorization,
    contentType: 'multipart/form-data; boundary=x',
    parts: [part('0123456789abcdef0123456789abcdef', 'text/html', 'PGgxPg==')],
  })

const REFUSED: [string, RecordedRequest, RegExp][] = [
  [
    'a kv_namespace binding without namespace_id',
    upload({ bindings: [{ type: 'kv_namespace', name: 'KV' }] }),
    /required property "namespace_id"/,
  ],
  [
    'a d1 binding by its deprecated id alone',
    upload({ bindings: [{ type: 'd1', name: 'DB', id: 'x' }] }),
    /required property "database_id"/,
  ],
  ['a binding of no kind', upload({ bindings: [{ type: 'kv', name: 'KV' }] }), /exactly one subschema/],
  [
    'a json binding whose value is text',
    upload({ bindings: [{ type: 'json', name: 'J', json: '{}' }] }),
    /Expected "object"/,
  ],
  [
    'a secret_text binding without text',
    upload({ bindings: [{ type: 'secret_text', name: 'S' }] }),
    /required property "text"/,
  ],
  ['an unknown html_handling', upload({ assets: { config: { html_handling: 'sometimes' } } }), /html_handling/],
  [
    'run_worker_first as one string',
    upload({ assets: { config: { run_worker_first: '/api/*' } } }),
    /run_worker_first/,
  ],
  ['a tail consumer without its service', upload({ tail_consumers: [{}] }), /required property "service"/],
  ['tags as one string', upload({ tags: 'name:x' }), /#\/metadata\/tags/],
  ['an unknown usage_model', upload({ usage_model: 'free' }), /usage_model/],
  [
    'an upload without its metadata part',
    { ...upload({}), parts: [part('worker.js', 'text/javascript', '')] },
    /required property "metadata"/,
  ],
  [
    'a module of type application/json',
    upload({ main_module: 'worker.js' }, 'application/json'),
    /none the upload takes/,
  ],
  ['bindings_inherit other than strict', { ...upload({}), query: '?bindings_inherit=lax' }, /query bindings_inherit/],
  [
    'a manifest entry without its size',
    session({ manifest: { '/a.html': { hash: 'x' } } }),
    /required property "size"/,
  ],
  ['a session without a manifest', session({ files: {} }), /required property "manifest"/],
  ['a session body sent as text', session({ manifest: {} }, 'text/plain'), /not application\/json/],
  ['an asset upload without base64=true', bucket(''), /required query parameter base64/],
  ['an asset upload with base64=false', bucket('?base64=false'), /query base64/],
  ['an asset upload with the API token', bucket('?base64=true', API_TOKEN), /API token/],
  [
    'a script upload with an upload JWT',
    { ...upload({}), authorization: 'Bearer a.b.c' },
    /not authorised by the API token/,
  ],
  ['a query parameter no operation declares', { ...upload({}), query: '?dry_run=true' }, /does not declare/],
  [
    'a content read with a body',
    request('GET', `${SCRIPT}/content`, { contentType: 'application/json' }),
    /does not take/,
  ],
]

describe('the checks refuse what the document refuses', () => {
  it.each(REFUSED)('%s', (_, refused, problem) => {
    const known = operationOf(refused)
    expect(known).toBeDefined()
    expect(problemsOf(refused, known!.operation).join('\n')).toMatch(problem)
  })

  it('a request of an operation the table lacks is of no known operation', () => {
    expect(operationOf(request('PUT', `${SCRIPT}/secrets`))).toBeUndefined()
    expect(operationOf(request('PATCH', SCRIPT))).toBeUndefined()
  })
})
