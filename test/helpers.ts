import type { DeclaredEnv } from '../src/deploy/build'
import { nothingDeclared } from '../src/deploy/declared'
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import type { ConfigVars } from '../src/core/config'
import app from '../src/index'

export const ORIGIN = 'http://platform.test'

/** Sends a request to the platform Worker under test, exactly as wrangler dev would deliver it. */
export function platform(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(new URL(path, ORIGIN), { redirect: 'manual', ...init }))
}

let counter = 0
/** A fresh valid worker name, so tests never depend on each other's state. */
export function uniqueName(prefix = 'w'): string {
  counter += 1
  return `${prefix}-${Date.now().toString(36)}-${counter}`
}

export const helloScript = (greeting: string) => `export default {
  async fetch(request) {
    return new Response(${JSON.stringify(greeting)});
  },
};`

/** A user Worker that describes the request it received, for pass-through assertions. */
export const ECHO_SCRIPT = `export default {
  async fetch(request) {
    const url = new URL(request.url);
    return Response.json({
      method: request.method,
      path: url.pathname,
      search: url.search,
      prefix: request.headers.get("x-forwarded-prefix"),
      custom: request.headers.get("x-custom"),
      body: request.body ? await request.text() : null,
    });
  },
};`

/** PUT /api/workers/:name with the script; `token` (deploy or admin) goes in the Authorization header. */
export function putScript(name: string, script: string, token?: string): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/javascript' }
  if (token) headers.Authorization = `Bearer ${token}`
  return platform(`/api/workers/${name}`, { method: 'PUT', headers, body: script })
}

/**
 * A worker's storage reference whose owner holds its name, without deploying anything: the name's
 * object records the owner as a claim would. Storage takes writes only for the owner that holds the
 * name (src/core/generation.ts).
 */
export async function claimedRef(prefix: string): Promise<{ name: string; ownerId: string }> {
  const ref = { name: uniqueName(prefix), ownerId: `o-${crypto.randomUUID().slice(0, 12)}` }
  await runInDurableObject(env.NAME_CLAIMS.getByName(ref.name), (_object, state) =>
    state.storage.put('owner', { ownerId: ref.ownerId, tokenHash: 'unused', claimedAt: new Date().toISOString() }),
  )
  return ref
}

/** The owner generation that holds a name now (its NameClaim object's record of the claim). */
export async function ownerIdOf(name: string): Promise<string | undefined> {
  return runInDurableObject(env.NAME_CLAIMS.getByName(name), async (_object, state) => {
    return (await state.storage.get<{ ownerId: string }>('owner'))?.ownerId
  })
}

export interface Deployed {
  name: string
  workerId: string
  url: string
  token: string
}

/** Claims a fresh name with a first upload and returns its deploy token. */
export async function deployNew(name: string, script: string): Promise<Deployed> {
  const res = await putScript(name, script)
  if (res.status !== 201) throw new Error(`first upload of ${name} answered ${res.status}: ${await res.text()}`)
  return res.json<Deployed>()
}

export function postForm(fields: Record<string, string | File>, encoding: 'multipart' | 'urlencoded' = 'multipart') {
  let body: FormData | URLSearchParams
  if (encoding === 'multipart') {
    body = new FormData()
    for (const [key, value] of Object.entries(fields)) body.append(key, value)
  } else {
    body = new URLSearchParams(fields as Record<string, string>)
  }
  return platform('/upload', { method: 'POST', body })
}

/**
 * The upload form for a new version with the current code loaded by the owner's token, as the
 * "Load the current code" form posts it (code is private unless its owner made it public).
 */
export function uploadFormWithCode(
  name: string,
  token: string,
  send: (path: string, init?: RequestInit) => Promise<Response> = platform,
): Promise<Response> {
  return send('/upload/current', { method: 'POST', body: new URLSearchParams({ name, token }) })
}

/** The text content of the upload form's textarea, unescaped. */
export function textareaContent(html: string): string {
  const match = html.match(/<textarea[^>]*name="script"[^>]*>([\s\S]*?)<\/textarea>/)
  return unescapeHtml(match?.[1] ?? '')
}

export function inputValue(html: string, name: string): string | undefined {
  const match = html.match(new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`))
  return match ? unescapeHtml(match[1] ?? '') : undefined
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
}

/**
 * Calls the Worker with extra or replaced bindings (e.g. ADMIN_TOKEN, USER_WORKERS_DOMAIN), still
 * inside workerd with the real KV, Durable Objects and Worker Loader.
 */
export async function platformWith(
  overrides: Partial<Env> & ConfigVars,
  path: string,
  init?: RequestInit,
): Promise<Response> {
  const ctx = createExecutionContext()
  const request = new Request(new URL(path, ORIGIN), { redirect: 'manual', ...init })
  const res = await app.fetch(request, { ...env, ...overrides }, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

/**
 * A wrangler.json whose env the builder double declares as given (its "x-declared" hook, see
 * test/doubles/builder.js), the rest empty; the real builder's reading is tested apart.
 */
export function declaredWrangler(declared: Partial<DeclaredEnv>, file = 'wrangler.json'): string {
  return JSON.stringify({ 'x-declared': { ...nothingDeclared(file), ...declared } })
}

/**
 * A platform isolate of its own: one env object is one Platform (platformFor caches per env), with
 * its own caches, allowances and metrics waiting in memory; another client is another isolate.
 */
export function platformIsolate(vars: Partial<Env> & ConfigVars = {}) {
  const environment = { ...env, ...vars }
  const call = async (path: string, init?: RequestInit): Promise<Response> => {
    const ctx = createExecutionContext()
    const res = await app.fetch(new Request(new URL(path, ORIGIN), { redirect: 'manual', ...init }), environment, ctx)
    await waitOnExecutionContext(ctx)
    return res
  }
  return { call, environment }
}
