// The platform's HTTP API as the harness uses it (loopback only).
import { summarize } from './stats.mjs'

/**
 * PUT /api/workers/:name. Pass the deploy token from the name's first upload, if it returned one:
 * updates of an owned name need `Authorization: Bearer <token>`.
 */
export function upload(base, name, script, token) {
  return put(base, name, script, 'application/javascript', token)
}

/** PUT /api/workers/:name with any body the API takes (a script, TypeScript, a JSON project, …). */
export async function put(base, name, body, contentType, token) {
  const headers = { 'Content-Type': contentType }
  if (token) headers.Authorization = `Bearer ${token}`
  const response = await fetch(`${base}/api/workers/${name}`, { method: 'PUT', headers, body })
  const text = await response.text()
  let json = null
  try {
    json = JSON.parse(text)
  } catch {}
  return { status: response.status, ok: response.ok, json, text }
}

/** Uploads and throws unless the platform accepted it; returns the deploy token, if any. */
export async function uploadOrThrow(base, name, script, token, contentType = 'application/javascript') {
  const result = await put(base, name, script, contentType, token)
  if (!result.ok) throw new Error(`upload of "${name}" failed: ${result.status} ${result.text.slice(0, 300)}`)
  return result.json?.token ?? token
}

/** GET /user-workers/<name> until it answers 200 with `body`; resolves the time that took (ms). */
export async function waitForBody(base, name, body, timeoutMs = 10_000) {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    const response = await fetch(`${base}/user-workers/${name}`)
    const text = await response.text()
    if (response.status === 200 && text === body) return
  }
  throw new Error(`/user-workers/${name} did not serve "${body}" within ${timeoutMs} ms`)
}

/** Sequential GETs of one path after a short warm-up: p50/p99 of the full response time (ms). */
export async function timeGets(base, path, count, warmup = 5) {
  const durations = []
  for (let i = 0; i < warmup + count; i++) {
    const started = performance.now()
    const response = await fetch(`${base}${path}`)
    await response.arrayBuffer()
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`)
    if (i >= warmup) durations.push(performance.now() - started)
  }
  return summarize(durations)
}

/**
 * Uploads many workers through the API, at most `concurrency` at a time: [{ name, body }] →
 * resolves when all were accepted (throws on the first refusal).
 */
export async function uploadAll(base, workers, concurrency = 8, contentType = 'application/javascript') {
  let next = 0
  const lane = async () => {
    while (next < workers.length) {
      const { name, body } = workers[next++]
      await uploadOrThrow(base, name, body, undefined, contentType)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, workers.length) }, lane))
}

/** One GET, timed from the request to the last byte of the body: { ms, status, text }. */
export async function timedGet(url) {
  const started = performance.now()
  const response = await fetch(url)
  const text = await response.text()
  return { ms: performance.now() - started, status: response.status, text }
}
