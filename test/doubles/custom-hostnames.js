// The Custom Hostnames API of Cloudflare for SaaS (zones/:zone/custom_hostnames) and a
// DNS-over-HTTPS resolver, as the API double (cloudflare-api.js) serves them. Like Cloudflare, a
// zone holds one custom hostname per hostname (a second create is refused with 1406), a new one
// starts pending with fresh ownership and certificate values, and a deleted one is gone (404, 1436).
//
// Control endpoints (tests only):
//   POST /__double/custom-hostnames/status {hostname, status?, ssl_status?, verification_errors?}
//                                          set what Cloudflare reports (e.g. both "active")
//   POST /__double/custom-hostnames/defer  the next create answers without validation records
//                                          (a GET gives them), as Cloudflare may
//   POST /__double/dns {name, txt: [...]}  the TXT values the resolver answers for a name
//   GET  /dns-query?name=&type=TXT         the resolver (application/dns-json)

export const ZONE_PATH = /^\/client\/v4\/zones\/([^/]+)\/custom_hostnames(?:\/([^/]+))?$/

const state = { hostnames: new Map(), dns: new Map(), deferRecords: false }

export function resetCustomHostnames() {
  state.hostnames.clear()
  state.dns.clear()
  state.deferRecords = false
}

const envelope = (status, result, errors = []) =>
  Response.json({ success: errors.length === 0, errors, messages: [], result }, { status })

/** An API call on a zone's custom hostnames; `body` is the request's bytes. */
export function customHostnames(request, match, body) {
  const [, , id] = match
  if (request.method === 'POST' && id === undefined) {
    let json
    try {
      json = JSON.parse(new TextDecoder().decode(body))
    } catch {
      return envelope(400, null, [{ code: 1400, message: 'Invalid JSON' }])
    }
    if (typeof json?.hostname !== 'string') return envelope(400, null, [{ code: 1411, message: 'hostname required' }])
    const taken = [...state.hostnames.values()].some((entry) => entry.hostname === json.hostname)
    if (taken) return envelope(409, null, [{ code: 1406, message: 'Duplicate custom hostname found.' }])
    const entry = newHostname(json.hostname, json.ssl ?? {})
    state.hostnames.set(entry.id, entry)
    const answer = state.deferRecords ? withoutRecords(entry) : entry
    state.deferRecords = false
    return envelope(200, answer)
  }
  const entry = id === undefined ? undefined : state.hostnames.get(decodeURIComponent(id))
  if (request.method === 'GET' && id !== undefined) {
    return entry ? envelope(200, entry) : envelope(404, null, [{ code: 1436, message: 'Custom hostname not found.' }])
  }
  if (request.method === 'DELETE' && id !== undefined) {
    if (!entry) return envelope(404, null, [{ code: 1436, message: 'Custom hostname not found.' }])
    state.hostnames.delete(entry.id)
    return Response.json({ id: entry.id })
  }
  return envelope(405, null, [{ code: 10000, message: 'Method not allowed' }])
}

function newHostname(hostname, ssl) {
  return {
    id: crypto.randomUUID(),
    hostname,
    status: 'pending',
    ssl: {
      id: crypto.randomUUID(),
      type: ssl.type ?? 'dv',
      method: ssl.method ?? 'http',
      status: 'pending_validation',
      validation_records: [{ txt_name: `_acme-challenge.${hostname}`, txt_value: crypto.randomUUID() }],
    },
    ownership_verification: { type: 'txt', name: `_cf-custom-hostname.${hostname}`, value: crypto.randomUUID() },
    ownership_verification_http: {
      http_url: `http://${hostname}/.well-known/cf-custom-hostname-challenge/${crypto.randomUUID()}`,
      http_body: crypto.randomUUID(),
    },
    created_at: new Date().toISOString(),
  }
}

function withoutRecords(entry) {
  const { ownership_verification: _o, ownership_verification_http: _h, ...rest } = entry
  return { ...rest, ssl: { ...entry.ssl, status: 'initializing', validation_records: [] } }
}

/** The control endpoints above; undefined for any other path. */
export async function customHostnamesControl(request, url) {
  if (request.method === 'POST' && url.pathname === '/__double/custom-hostnames/status') {
    const change = await request.json()
    const entry = [...state.hostnames.values()].find((candidate) => candidate.hostname === change.hostname)
    if (!entry) return new Response('no such custom hostname', { status: 404 })
    if (change.status) entry.status = change.status
    if (change.ssl_status) entry.ssl.status = change.ssl_status
    if (change.verification_errors) entry.verification_errors = change.verification_errors
    return new Response(null, { status: 204 })
  }
  if (request.method === 'POST' && url.pathname === '/__double/custom-hostnames/defer') {
    state.deferRecords = true
    return new Response(null, { status: 204 })
  }
  if (request.method === 'GET' && url.pathname === '/__double/custom-hostnames') {
    return Response.json([...state.hostnames.values()])
  }
  if (request.method === 'POST' && url.pathname === '/__double/dns') {
    const { name, txt } = await request.json()
    state.dns.set(name, txt)
    return new Response(null, { status: 204 })
  }
  return undefined
}

/** DNS over HTTPS, JSON form: the TXT values set through /__double/dns. */
export function dnsQuery(url) {
  const name = url.searchParams.get('name') ?? ''
  const values = url.searchParams.get('type') === 'TXT' ? (state.dns.get(name) ?? []) : []
  const Answer = values.map((value) => ({ name, type: 16, TTL: 300, data: JSON.stringify(value) }))
  return Response.json({ Status: 0, Question: [{ name, type: 16 }], ...(Answer.length ? { Answer } : {}) })
}
