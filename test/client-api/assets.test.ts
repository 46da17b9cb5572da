import { describe, expect, it } from 'vitest'
import { platform, uniqueName } from '../helpers'

// wrangler's direct upload of static assets (client-api/asset-uploads.ts), called as wrangler calls
// it: a session for the manifest, the files under its token, then the script upload naming it.

const BASE = '/client/v4/accounts/any/workers'
const NAMESPACED = (name: string) => `${BASE}/dispatch/namespaces/ns/scripts/${name}`
const FILES = { '/index.html': '<h1>home</h1>', '/app.css': 'h1 { color: red }' }
const TYPES: Record<string, string> = { '/index.html': 'text/html', '/app.css': 'text/css' }

async function hashOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, 32)
}

async function manifest() {
  const entries = await Promise.all(
    Object.entries(FILES).map(async ([path, text]) => [path, { hash: await hashOf(text), size: text.length }] as const),
  )
  return Object.fromEntries(entries)
}

async function newAccountToken(): Promise<string> {
  const res = await platform('/api/accounts', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'assets' }),
  })
  return (await res.json<{ token: { value: string } }>()).token.value
}

async function session(name: string, token: string) {
  const res = await platform(`${NAMESPACED(name)}/assets-upload-session`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ manifest: await manifest() }),
  })
  return res.json<{ success: boolean; result: { jwt: string; buckets: string[][] } }>()
}

async function uploadFiles(jwt: string, sizes: Record<string, string> = FILES) {
  const form = new FormData()
  for (const [path, text] of Object.entries(sizes)) {
    form.set(await hashOf(FILES[path as keyof typeof FILES]), new File([btoa(text)], 'x', { type: TYPES[path]! }))
  }
  const res = await platform(`${BASE}/assets/upload?base64=true`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${jwt}` },
    body: form,
  })
  return {
    status: res.status,
    body: await res.json<{ success: boolean; result: { jwt: string } | null; errors: { message: string }[] }>(),
  }
}

function script(jwt: string, name = 'index.js') {
  const form = new FormData()
  const metadata = {
    main_module: name,
    bindings: [{ type: 'assets', name: 'ASSETS' }],
    assets: { jwt, config: { html_handling: 'auto-trailing-slash' } },
  }
  form.set('metadata', new Blob([JSON.stringify(metadata)], { type: 'application/json' }))
  const code =
    'export default { fetch: (request, env) => new URL(request.url).pathname === "/api" ? env.ASSETS.fetch(new Request(new URL("/app.css", request.url))) : new Response("worker") };'
  form.set(name, new File([code], name, { type: 'application/javascript+module' }))
  return form
}

describe('/client/v4: static assets as wrangler uploads them', () => {
  it('serves the files of a completed session before the Worker, and through its assets binding', async () => {
    const name = uniqueName('as')
    const token = await newAccountToken()
    const opened = await session(name, token)
    expect(opened.success).toBe(true)
    expect(opened.result.buckets.flat().sort()).toEqual(
      Object.values(await manifest())
        .map((entry) => entry.hash)
        .sort(),
    )
    const uploaded = await uploadFiles(opened.result.jwt)
    expect(uploaded.status).toBe(201)
    const deployed = await platform(NAMESPACED(name), {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}` },
      body: script(uploaded.body.result!.jwt),
    })
    expect(deployed.status).toBe(200)
    expect(await deployed.json()).toMatchObject({ result: { has_assets: true } })
    const home = await platform(`/user-workers/${name}/`, { headers: { 'Sec-Fetch-Mode': 'navigate' } })
    expect(await home.text()).toBe('<h1>home</h1>')
    expect(home.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await (await platform(`/user-workers/${name}/api`)).text()).toBe('h1 { color: red }')
    expect(await (await platform(`/user-workers/${name}/other`)).text()).toBe('worker')
    // wrangler secret put: a new deployment of the code, its assets carried over.
    const secret = await platform(`/client/v4/accounts/any/workers/scripts/${name}/secrets`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'API_KEY', text: 'k', type: 'secret_text' }),
    })
    expect(secret.status).toBe(200)
    const again = await platform(`/user-workers/${name}/`, { headers: { 'Sec-Fetch-Mode': 'navigate' } })
    expect(await again.text()).toBe('<h1>home</h1>')
  })

  it('refuses an unknown token, a file the manifest does not size so, and a session made for another worker', async () => {
    const name = uniqueName('as')
    const token = await newAccountToken()
    const unknown = await uploadFiles('f'.repeat(64))
    expect(unknown.status).toBe(401)
    expect(unknown.body.errors[0]?.message).toBe(
      'That assets upload token is unknown or expired (they last an hour): run the deploy again.',
    )
    const { result } = await session(name, token)
    const wrong = await uploadFiles(result.jwt, { '/index.html': '<h1>other</h1>' })
    expect(wrong.status).toBe(400)
    await uploadFiles(result.jwt)
    const elsewhere = await platform(NAMESPACED(uniqueName('as')), {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}` },
      body: script(result.jwt),
    })
    expect(elsewhere.status).toBe(400)
    expect((await elsewhere.json<{ errors: { message: string }[] }>()).errors[0]?.message).toMatch(
      /^That assets upload was made for "as-/,
    )
  })
})
