import { platform } from '../helpers'

// Calls of the Cloudflare API under /client/v4 as wrangler makes them (routes/client-api.ts).

export const BASE = '/client/v4/accounts/any-account/workers'
export const NAMESPACED = (name: string) => `${BASE}/dispatch/namespaces/any-namespace/scripts/${name}`

export const WORKER = `export default { fetch: (request, env) => new Response(env.GREETING + " " + (env.TOKEN ?? "none")) };`

/** A script upload as wrangler sends one: the metadata part, then the modules by file name. */
export function upload(metadata: Record<string, unknown>, modules: Record<string, string> = { 'index.js': WORKER }) {
  const form = new FormData()
  form.set(
    'metadata',
    new Blob([JSON.stringify({ main_module: 'index.js', ...metadata })], { type: 'application/json' }),
  )
  for (const [name, content] of Object.entries(modules)) {
    form.set(name, new File([content], name, { type: 'application/javascript+module' }))
  }
  form.set('index.js.map', new File(['{}'], 'index.js.map', { type: 'application/source-map' }))
  return form
}

export async function put(name: string, form: FormData, token?: string) {
  const res = await platform(NAMESPACED(name), {
    method: 'PUT',
    body: form,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  })
  return {
    status: res.status,
    body: await res.json<{ success: boolean; errors: { code: number; message: string }[]; result: unknown }>(),
  }
}

export async function newAccountToken(): Promise<string> {
  const res = await platform('/api/accounts', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'wrangler' }),
  })
  return (await res.json<{ token: { value: string } }>()).token.value
}
