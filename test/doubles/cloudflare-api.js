// A stand-in for the Cloudflare API (Workers for Platforms script endpoints), run as an auxiliary
// Worker in the vitest config. It behaves like the real API for the calls the platform makes,
// records every request so tests can assert on path, headers and multipart parts, and stores
// uploaded scripts so the test dispatcher can run them.
//
// Static assets follow Cloudflare's direct upload (workers/static-assets/direct-upload), and the double
// holds the platform to that contract: the session's manifest shape, bucket uploads authorised by
// the session's JWT (never the API token) carrying exactly the asked-for hashes as base64 of the
// declared size, and a script upload naming a fresh completion JWT of its own session. Like
// Cloudflare, it keeps a namespace's assets by hash and asks only for hashes it does not hold.
//
// Control endpoints (used by tests only):
//   POST /__double/reset                   forget requests, scripts, assets and queued failures
//   POST /__double/fail  {status, errors, match?, method?}  answer the next API call (whose path
//                                          contains `match` / whose method is `method`, when given)
//                                          with this error envelope
//   POST /__double/namespace {trusted_workers}  the namespace's trust flag (GET …/namespaces/:ns)
//   POST /__double/forget-requests         forget the recorded requests only (scripts and assets stay)
//   GET  /__double/requests                every recorded API request
//   GET  /__double/scripts/:name           an uploaded script: { metadata, modules, assets? }, where
//                                          assets = { config, files: { "/path": { hash, contentType } } }
//   GET  /__double/assets/:hash            an uploaded asset's bytes, with its content type
//   (GET …/scripts/:name/content answers like the real API, so the platform can read code back)
//   Custom hostnames (zones/:zone/custom_hostnames) and a DNS-over-HTTPS resolver: custom-hostnames.js

import {
  ZONE_PATH,
  customHostnames,
  customHostnamesControl,
  dnsQuery,
  resetCustomHostnames,
} from './custom-hostnames.js'

const SCRIPT_PATH =
  /^\/client\/v4\/accounts\/([^/]+)\/workers\/dispatch\/namespaces\/([^/]+)\/scripts\/([^/]+)(\/content)?$/

const NAMESPACE_PATH = /^\/client\/v4\/accounts\/([^/]+)\/workers\/dispatch\/namespaces\/([^/]+)$/

const SESSION_PATH =
  /^\/client\/v4\/accounts\/([^/]+)\/workers\/dispatch\/namespaces\/([^/]+)\/scripts\/([^/]+)\/assets-upload-session$/

const ASSETS_UPLOAD_PATH = /^\/client\/v4\/accounts\/([^/]+)\/workers\/assets\/upload$/

// Small, so that a handful of files already makes several buckets.
const BUCKET_SIZE = 2
// Cloudflare's limits for a manifest (workers/static-assets/direct-upload, "Limitations").
const MAX_ASSET_BYTES = 25 * 1024 * 1024
const MAX_MANIFEST_ENTRIES = 20_000

const state = {
  requests: [],
  scripts: new Map(),
  failures: [],
  trustedWorkers: false,
  // hash → { base64, contentType }: the namespace's assets, shared by every script in it.
  assets: new Map(),
  // upload JWT → { scriptName, manifest, pending: Set<hash> }
  sessions: new Map(),
  // completion JWT → { scriptName, manifest }, until a script upload uses it
  completions: new Map(),
}

const envelope = (status, result, errors = []) =>
  Response.json({ success: errors.length === 0, errors, messages: [], result }, { status })

export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    if (url.hostname !== 'cloudflare-api.test') {
      return new Response(`The test double only serves cloudflare-api.test, not ${url.hostname}`, { status: 502 })
    }
    if (url.pathname.startsWith('/__double/')) return control(request, url)
    // The DNS-over-HTTPS resolver of custom-hostnames.js (no token: resolvers are public).
    if (url.pathname === '/dns-query') return dnsQuery(url)

    // Read the whole body first, as the real API does, even for requests it then refuses.
    const body = ['PUT', 'POST', 'DELETE'].includes(request.method) ? await request.arrayBuffer() : null
    const match = SCRIPT_PATH.exec(url.pathname)
    const recorded = {
      method: request.method,
      path: url.pathname,
      query: url.search,
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
      parts: [],
    }
    state.requests.push(recorded)

    // Asset bucket uploads are authorised by an upload session's JWT, not by the API token.
    if (ASSETS_UPLOAD_PATH.test(url.pathname)) {
      const bearer = recorded.authorization?.replace(/^Bearer /, '')
      const session = state.sessions.get(bearer)
      if (!session) {
        const message =
          bearer === env.EXPECTED_TOKEN
            ? 'Authentication error: asset uploads take the upload JWT from assets-upload-session, not an API token'
            : 'Authentication error: unknown or finished asset upload session'
        return envelope(401, null, [{ code: 10000, message }])
      }
      const failure = nextFailure(recorded)
      if (failure) return envelope(failure.status, null, failure.errors)
      if (request.method !== 'POST') return envelope(405, null, [{ code: 10000, message: 'Method not allowed' }])
      return uploadBucket(new Request(request.url, { method: 'POST', headers: request.headers, body }), recorded, {
        jwt: bearer,
        session,
        base64: url.searchParams.get('base64') === 'true',
      })
    }

    if (recorded.authorization !== `Bearer ${env.EXPECTED_TOKEN}`) {
      return envelope(403, null, [{ code: 10000, message: 'Authentication error' }])
    }
    const namespace = NAMESPACE_PATH.exec(url.pathname)
    const assetsSession = SESSION_PATH.exec(url.pathname)
    const zone = ZONE_PATH.exec(url.pathname)
    if (zone) {
      recorded.json = parseJson(body)
      return nextFailureResponse(recorded) ?? customHostnames(request, zone, body)
    }
    if (!match && !namespace && !assetsSession)
      return envelope(404, null, [{ code: 7003, message: 'Could not route to ' + url.pathname }])
    const failure = nextFailure(recorded)
    if (failure) return envelope(failure.status, null, failure.errors)
    if (namespace) {
      if (request.method !== 'GET') return envelope(405, null, [{ code: 10000, message: 'Method not allowed' }])
      const name = decodeURIComponent(namespace[2])
      return envelope(200, {
        namespace_name: name,
        script_count: state.scripts.size,
        trusted_workers: state.trustedWorkers,
      })
    }
    if (assetsSession) {
      if (request.method !== 'POST') return envelope(405, null, [{ code: 10000, message: 'Method not allowed' }])
      recorded.json = parseJson(body)
      return startSession(recorded, decodeURIComponent(assetsSession[3]))
    }

    const scriptName = decodeURIComponent(match[3])
    if (match[4]) {
      if (request.method !== 'GET') return envelope(405, null, [{ code: 10000, message: 'Method not allowed' }])
      return content(scriptName)
    }
    if (request.method === 'PUT')
      return upload(new Request(request.url, { method: 'PUT', headers: request.headers, body }), recorded, scriptName)
    if (request.method === 'DELETE') {
      // Recorded for the OpenAPI check of the request (its operation declares a JSON body).
      if (body?.byteLength) recorded.json = parseJson(body)
      if (!state.scripts.delete(scriptName)) {
        return envelope(404, null, [{ code: 10007, message: 'This Worker does not exist on your account.' }])
      }
      return envelope(200, null)
    }
    return envelope(405, null, [{ code: 10000, message: 'Method not allowed' }])
  },
}

/** The first queued failure meant for this request: its path contains `match`, its method is `method` (when given). */
function nextFailure({ path, method }) {
  const index = state.failures.findIndex(
    (failure) => (!failure.match || path.includes(failure.match)) && (!failure.method || failure.method === method),
  )
  return index === -1 ? undefined : state.failures.splice(index, 1)[0]
}

function parseJson(body) {
  try {
    return JSON.parse(new TextDecoder().decode(body))
  } catch {
    return undefined
  }
}

/** An opaque token shaped like a JWT (header.payload.signature); only this double can tell what it is for. */
function newJwt(kind) {
  const part = (value) => btoa(JSON.stringify(value)).replace(/=+$/, '')
  return `${part({ alg: 'none' })}.${part({ kind, id: crypto.randomUUID() })}.${crypto.randomUUID().replace(/-/g, '')}`
}

const HASH = /^[0-9a-f]{32}$/

// POST …/scripts/{name}/assets-upload-session {manifest}: buckets of the hashes the namespace lacks.
function startSession(recorded, scriptName) {
  const manifest = recorded.json?.manifest
  const refuse = (message) => envelope(400, null, [{ code: 10200, message }])
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) {
    return refuse('The request body must be { "manifest": { "/path": { "hash", "size" } } }')
  }
  const entries = Object.entries(manifest)
  if (entries.length === 0) return refuse('The manifest lists no files')
  if (entries.length > MAX_MANIFEST_ENTRIES) return refuse(`The manifest lists more than ${MAX_MANIFEST_ENTRIES} files`)
  for (const [path, entry] of entries) {
    if (!path.startsWith('/')) return refuse(`Manifest path "${path}" must start with /`)
    if (!entry || typeof entry.hash !== 'string' || !HASH.test(entry.hash)) {
      return refuse(`Manifest entry "${path}" needs a hash of 32 hexadecimal characters`)
    }
    if (!Number.isInteger(entry.size) || entry.size < 0) return refuse(`Manifest entry "${path}" needs a size in bytes`)
    if (entry.size > MAX_ASSET_BYTES) return refuse(`Asset "${path}" is larger than 25 MiB`)
  }
  const missing = [...new Set(entries.map(([, entry]) => entry.hash))].filter((hash) => !state.assets.has(hash))
  const buckets = []
  for (let i = 0; i < missing.length; i += BUCKET_SIZE) buckets.push(missing.slice(i, i + BUCKET_SIZE))
  const jwt = newJwt('upload')
  if (missing.length === 0) {
    // Nothing to upload: the session's token is the completion token.
    state.completions.set(jwt, { scriptName, manifest })
  } else {
    state.sessions.set(jwt, { scriptName, manifest, pending: new Set(missing) })
  }
  return envelope(200, { jwt, buckets })
}

// POST …/workers/assets/upload?base64=true: one part per asked-for hash, named by it, base64 of its bytes.
async function uploadBucket(request, recorded, { jwt, session, base64 }) {
  const refuse = (message) => envelope(400, null, [{ code: 10201, message }])
  if (!base64) return refuse('This double, like the platform, only takes base64=true uploads')
  let form
  try {
    form = await request.formData()
  } catch {
    return refuse('Could not parse multipart body')
  }
  const sizes = new Map(Object.values(session.manifest).map((entry) => [entry.hash, entry.size]))
  const received = []
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') return refuse(`Part "${field}" must be a file`)
    const content = await value.text()
    recorded.parts.push({ field, filename: value.name, type: value.type, content })
    if (!session.pending.has(field)) return refuse(`Hash ${field} was not asked for in this upload session`)
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content) || content.length % 4 !== 0) {
      return refuse(`Part ${field} is not valid base64`)
    }
    if (atob(content).length !== sizes.get(field)) return refuse(`Part ${field} does not have the size in the manifest`)
    received.push([field, { base64: content, contentType: value.type }])
  }
  if (received.length === 0) return refuse('The upload has no files')
  for (const [hash, asset] of received) {
    state.assets.set(hash, asset)
    session.pending.delete(hash)
  }
  if (session.pending.size > 0) return envelope(202, {})
  state.sessions.delete(jwt)
  const completion = newJwt('completion')
  state.completions.set(completion, { scriptName: session.scriptName, manifest: session.manifest })
  return envelope(201, { jwt: completion })
}

const HTML_HANDLING = new Set(['auto-trailing-slash', 'force-trailing-slash', 'drop-trailing-slash', 'none'])
const NOT_FOUND_HANDLING = new Set(['single-page-application', '404-page', 'none'])

/** The metadata's `assets`, checked as the script upload checks it: a string to refuse with, or what to store. */
function scriptAssets(metadata, scriptName, hasWorker) {
  const { jwt, config = {}, ...rest } = metadata.assets
  if (Object.keys(rest).length > 0) return `Unknown assets fields: ${Object.keys(rest).join(', ')}`
  if (state.sessions.has(jwt)) {
    return 'assets.jwt is an upload session token; give the completion token the last asset upload returned'
  }
  const completion = state.completions.get(jwt)
  if (!completion) return 'assets.jwt is not a valid completion token (unknown, expired or already used)'
  if (completion.scriptName !== scriptName) return 'assets.jwt was issued for another script'
  const { html_handling, not_found_handling, run_worker_first, _redirects, _headers, ...unknown } = config
  if (Object.keys(unknown).length > 0) return `Unknown assets.config fields: ${Object.keys(unknown).join(', ')}`
  // The rule files' text, as wrangler sends it (Cloudflare parses it; the double only checks the type).
  for (const [field, text] of Object.entries({ _redirects, _headers })) {
    if (text !== undefined && typeof text !== 'string') return `Invalid assets.config.${field}`
  }
  if (html_handling !== undefined && !HTML_HANDLING.has(html_handling)) return 'Invalid assets.config.html_handling'
  if (not_found_handling !== undefined && !NOT_FOUND_HANDLING.has(not_found_handling)) {
    return 'Invalid assets.config.not_found_handling'
  }
  const routes = Array.isArray(run_worker_first) && run_worker_first.every((rule) => typeof rule === 'string')
  if (run_worker_first !== undefined && typeof run_worker_first !== 'boolean' && !routes) {
    return 'Invalid assets.config.run_worker_first'
  }
  if (!hasWorker && (run_worker_first === true || (routes && run_worker_first.length > 0))) {
    return 'run_worker_first needs a Worker script'
  }
  state.completions.delete(jwt)
  const files = {}
  for (const [path, entry] of Object.entries(completion.manifest)) {
    files[path] = { hash: entry.hash, contentType: state.assets.get(entry.hash).contentType }
  }
  return { config, files }
}

// The module content types the real script upload accepts (Cloudflare's OpenAPI schema); it refuses
// any other, application/json included.
const MODULE_TYPES = new Set([
  'application/javascript+module',
  'text/javascript+module',
  'application/javascript',
  'text/javascript',
  'text/x-python',
  'text/x-python-requirement',
  'application/wasm',
  'text/plain',
  'application/octet-stream',
  'application/source-map',
])
const BINARY_TYPES = new Set(['application/wasm', 'application/octet-stream'])

/**
 * The metadata's bindings, checked by the shapes the platform uses (the published metadata contract;
 * `entrypoint` and `props` on a service binding as wrangler sends them): a message to refuse with.
 */
function checkBindings(bindings) {
  if (!Array.isArray(bindings)) return 'bindings must be a list'
  const names = new Set()
  for (const binding of bindings) {
    if (typeof binding?.name !== 'string' || names.has(binding.name)) return 'every binding needs a unique name'
    names.add(binding.name)
    switch (binding.type) {
      case 'plain_text':
      case 'secret_text':
        if (typeof binding.text !== 'string') return `binding ${binding.name}: text must be a string`
        break
      case 'assets':
        break
      case 'json':
        if (!('json' in binding)) return `binding ${binding.name}: json is missing`
        break
      case 'service':
        if (typeof binding.service !== 'string') return `binding ${binding.name}: service must be a script name`
        if (binding.entrypoint !== undefined && typeof binding.entrypoint !== 'string') {
          return `binding ${binding.name}: entrypoint must be a string`
        }
        if (binding.props !== undefined && (typeof binding.props !== 'object' || Array.isArray(binding.props))) {
          return `binding ${binding.name}: props must be an object`
        }
        break
      default:
        return `binding ${binding.name}: type ${binding.type} is not one the platform uses`
    }
  }
  return null
}

async function upload(request, recorded, scriptName) {
  let form
  try {
    form = await request.formData()
  } catch {
    return envelope(400, null, [{ code: 10006, message: 'Could not parse multipart body' }])
  }
  const modules = {}
  let metadata
  for (const [field, value] of form.entries()) {
    const isFile = typeof value !== 'string'
    const type = isFile ? value.type : null
    // Binary parts are kept as base64, so the test dispatcher gets their exact bytes back.
    const content = !isFile
      ? value
      : BINARY_TYPES.has(type)
        ? toBase64(new Uint8Array(await value.arrayBuffer()))
        : await value.text()
    recorded.parts.push({ field, filename: isFile ? value.name : null, type, content })
    if (field === 'metadata') {
      metadata = JSON.parse(content)
      continue
    }
    if (!MODULE_TYPES.has(type)) {
      return envelope(400, null, [
        { code: 10021, message: `Uncaught TypeError: module files has unsupported Content-Type "${type}" (${field})` },
      ])
    }
    modules[isFile ? value.name : field] = { type, content }
  }
  const main = metadata?.main_module ?? metadata?.body_part
  // An assets-only script (wrangler's upload of a Worker without `main`): assets and no modules.
  const assetsOnly = !main && metadata?.assets && Object.keys(modules).length === 0
  if (!assetsOnly && (!main || !modules[main])) {
    return envelope(400, null, [
      { code: 10021, message: 'No such module: main_module / body_part is not one of the parts' },
    ])
  }
  const bindingError = checkBindings(metadata?.bindings ?? [])
  if (bindingError) return envelope(400, null, [{ code: 10021, message: bindingError }])
  let assets
  if (metadata?.assets) {
    assets = scriptAssets(metadata, scriptName, !assetsOnly)
    if (typeof assets === 'string') return envelope(400, null, [{ code: 10202, message: assets }])
  }
  state.scripts.set(scriptName, { metadata, modules, ...(assets ? { assets } : {}) })
  return envelope(200, { id: scriptName, tags: metadata.tags ?? [] })
}

// GET …/scripts/{name}/content: the modules as uploaded, multipart, with the main module named by the
// cf-entrypoint header (as wrangler reads it); a service-worker script comes back as its text.
function content(scriptName) {
  const script = state.scripts.get(scriptName)
  if (!script) return envelope(404, null, [{ code: 10007, message: 'This Worker does not exist on your account.' }])
  const { metadata, modules } = script
  if (metadata.body_part) {
    return new Response(modules[metadata.body_part].content, { headers: { 'content-type': 'application/javascript' } })
  }
  const form = new FormData()
  // An assets-only script has no modules: the multipart body is empty.
  for (const [name, module] of Object.entries(modules)) {
    const bytes = BINARY_TYPES.has(module.type) ? fromBase64(module.content) : module.content
    form.append(name, new File([bytes], name, { type: module.type }))
  }
  return new Response(form, metadata.main_module ? { headers: { 'cf-entrypoint': metadata.main_module } } : {})
}

function fromBase64(base64) {
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))
}

function toBase64(bytes) {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

function nextFailureResponse(recorded) {
  const failure = nextFailure(recorded)
  return failure ? envelope(failure.status, null, failure.errors) : undefined
}

async function control(request, url) {
  const answered = await customHostnamesControl(request, url)
  if (answered) return answered
  if (request.method === 'POST' && url.pathname === '/__double/reset') {
    resetCustomHostnames()
    state.requests = []
    state.scripts.clear()
    state.failures = []
    state.trustedWorkers = false
    state.assets.clear()
    state.sessions.clear()
    state.completions.clear()
    return new Response(null, { status: 204 })
  }
  if (request.method === 'POST' && url.pathname === '/__double/forget-requests') {
    state.requests = []
    return new Response(null, { status: 204 })
  }
  if (request.method === 'POST' && url.pathname === '/__double/fail') {
    state.failures.push(await request.json())
    return new Response(null, { status: 204 })
  }
  if (request.method === 'POST' && url.pathname === '/__double/namespace') {
    state.trustedWorkers = (await request.json()).trusted_workers === true
    return new Response(null, { status: 204 })
  }
  if (url.pathname === '/__double/requests') return Response.json(state.requests)
  const asset = url.pathname.match(/^\/__double\/assets\/([0-9a-f]{32})$/)
  if (asset) {
    const found = state.assets.get(asset[1])
    if (!found) return new Response('not found', { status: 404 })
    const headers = found.contentType === 'application/null' ? {} : { 'content-type': found.contentType }
    return new Response(fromBase64(found.base64), { headers })
  }
  const script = url.pathname.match(/^\/__double\/scripts\/(.+)$/)
  if (script) {
    const found = state.scripts.get(decodeURIComponent(script[1]))
    return found ? Response.json(found) : new Response('not found', { status: 404 })
  }
  return new Response('unknown control endpoint', { status: 404 })
}
