// A stand-in for the Cloudflare API (Workers for Platforms script endpoints), run as an auxiliary
// Worker in the vitest config. It behaves like the real API for the calls the platform makes,
// records every request so tests can assert on path, headers and multipart parts, and stores
// uploaded scripts so the test dispatcher can run them.
//
// Control endpoints (used by tests only):
//   POST /__double/reset                   forget requests, scripts and queued failures
//   POST /__double/fail  {status, errors}  answer the next API call with this error envelope
//   POST /__double/namespace {trusted_workers}  the namespace's trust flag (GET …/namespaces/:ns)
//   GET  /__double/requests                every recorded API request
//   GET  /__double/scripts/:name           an uploaded script: { metadata, modules }
//   (GET …/scripts/:name/content answers like the real API, so the platform can read code back)

const SCRIPT_PATH =
  /^\/client\/v4\/accounts\/([^/]+)\/workers\/dispatch\/namespaces\/([^/]+)\/scripts\/([^/]+)(\/content)?$/

const NAMESPACE_PATH = /^\/client\/v4\/accounts\/([^/]+)\/workers\/dispatch\/namespaces\/([^/]+)$/

const state = { requests: [], scripts: new Map(), failures: [], trustedWorkers: false }

const envelope = (status, result, errors = []) =>
  Response.json({ success: errors.length === 0, errors, messages: [], result }, { status })

export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    if (url.hostname !== 'cloudflare-api.test') {
      return new Response(`The test double only serves cloudflare-api.test, not ${url.hostname}`, { status: 502 })
    }
    if (url.pathname.startsWith('/__double/')) return control(request, url)

    // Read the whole body first, as the real API does, even for requests it then refuses.
    const body = request.method === 'PUT' ? await request.arrayBuffer() : null
    const match = SCRIPT_PATH.exec(url.pathname)
    const recorded = {
      method: request.method,
      path: url.pathname,
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
      parts: [],
    }
    state.requests.push(recorded)

    if (recorded.authorization !== `Bearer ${env.EXPECTED_TOKEN}`) {
      return envelope(403, null, [{ code: 10000, message: 'Authentication error' }])
    }
    const namespace = NAMESPACE_PATH.exec(url.pathname)
    if (!match && !namespace)
      return envelope(404, null, [{ code: 7003, message: 'Could not route to ' + url.pathname }])
    const failure = state.failures.shift()
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

    const scriptName = decodeURIComponent(match[3])
    if (match[4]) {
      if (request.method !== 'GET') return envelope(405, null, [{ code: 10000, message: 'Method not allowed' }])
      return content(scriptName)
    }
    if (request.method === 'PUT')
      return upload(new Request(request.url, { method: 'PUT', headers: request.headers, body }), recorded, scriptName)
    if (request.method === 'DELETE') {
      if (!state.scripts.delete(scriptName)) {
        return envelope(404, null, [{ code: 10007, message: 'This Worker does not exist on your account.' }])
      }
      return envelope(200, null)
    }
    return envelope(405, null, [{ code: 10000, message: 'Method not allowed' }])
  },
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
  if (!main || !modules[main]) {
    return envelope(400, null, [
      { code: 10021, message: 'No such module: main_module / body_part is not one of the parts' },
    ])
  }
  state.scripts.set(scriptName, { metadata, modules })
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
  for (const [name, module] of Object.entries(modules)) {
    const bytes = BINARY_TYPES.has(module.type) ? fromBase64(module.content) : module.content
    form.append(name, new File([bytes], name, { type: module.type }))
  }
  return new Response(form, { headers: { 'cf-entrypoint': metadata.main_module } })
}

function fromBase64(base64) {
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))
}

function toBase64(bytes) {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

async function control(request, url) {
  if (request.method === 'POST' && url.pathname === '/__double/reset') {
    state.requests = []
    state.scripts.clear()
    state.failures = []
    state.trustedWorkers = false
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
  const script = url.pathname.match(/^\/__double\/scripts\/(.+)$/)
  if (script) {
    const found = state.scripts.get(decodeURIComponent(script[1]))
    return found ? Response.json(found) : new Response('not found', { status: 404 })
  }
  return new Response('unknown control endpoint', { status: 404 })
}
