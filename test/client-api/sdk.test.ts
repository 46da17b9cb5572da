import { describe, expect, it } from 'vitest'
import Cloudflare from 'cloudflare'
import { exports } from 'cloudflare:workers'
import { ORIGIN, platform, uniqueName } from '../helpers'

// The official `cloudflare` SDK (7.3.0) with baseURL set to the platform: script upload, secrets,
// content and delete, as a platform builder's own tooling would call them (docs/wrangler.md). The
// upload goes as Cloudflare's API takes it — a `metadata` part and the modules as parts named by
// file — through the SDK's own client (scripts.update would flatten the metadata into form fields
// and send it as application/javascript, which the real API rejects: cloudflare-typescript #2799).

const ACCOUNT = 'any-account'
const NAMESPACE = 'any-namespace'

async function sdk(): Promise<Cloudflare> {
  const res = await platform('/api/accounts', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'sdk' }),
  })
  const { token } = await res.json<{ token: { value: string } }>()
  return new Cloudflare({
    apiToken: token.value,
    baseURL: `${ORIGIN}/client/v4`,
    fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
    maxRetries: 0,
  })
}

function scriptForm(code: string, bindings: unknown[] = []): FormData {
  const form = new FormData()
  form.set('metadata', new Blob([JSON.stringify({ main_module: 'index.js', bindings })], { type: 'application/json' }))
  form.set('index.js', new File([code], 'index.js', { type: 'application/javascript+module' }))
  return form
}

describe('the cloudflare SDK against /client/v4', () => {
  it('uploads a script, sets a secret, reads the code back and deletes the script', async () => {
    const client = await sdk()
    const name = uniqueName('sdk')
    const code = 'export default { fetch: (request, env) => new Response(env.GREETING + " " + (env.KEY ?? "none")) };'
    const path = `/accounts/${ACCOUNT}/workers/dispatch/namespaces/${NAMESPACE}/scripts/${name}`
    const uploaded = await client.put<{ success: boolean; result: { id: string } }>(path, {
      body: scriptForm(code, [{ type: 'plain_text', name: 'GREETING', text: 'hello' }]),
    })
    expect(uploaded).toMatchObject({ success: true, result: { id: name } })
    expect(await (await platform(`/user-workers/${name}/`)).text()).toBe('hello none')

    const scripts = client.workersForPlatforms.dispatch.namespaces.scripts
    const secret = await scripts.secrets.update(name, {
      account_id: ACCOUNT,
      dispatch_namespace: NAMESPACE,
      name: 'KEY',
      text: 'k1',
      type: 'secret_text',
    })
    expect(secret).toMatchObject({ name: 'KEY', type: 'secret_text' })
    expect(await (await platform(`/user-workers/${name}/`)).text()).toBe('hello k1')
    const listed = []
    for await (const entry of scripts.secrets.list(name, { account_id: ACCOUNT, dispatch_namespace: NAMESPACE })) {
      listed.push(entry)
    }
    expect(listed).toEqual([{ name: 'KEY', type: 'secret_text' }])

    const content = await scripts.content.get(name, { account_id: ACCOUNT, dispatch_namespace: NAMESPACE })
    const parts = await content.formData()
    expect(await (parts.get('index.js') as File).text()).toBe(code)

    await scripts.delete(name, { account_id: ACCOUNT, dispatch_namespace: NAMESPACE })
    expect((await platform(`/user-workers/${name}/`)).status).toBe(404)
  })

  it('gets the platform’s message from a refused upload, as an APIError', async () => {
    const client = await sdk()
    const name = uniqueName('sdk')
    const path = `/accounts/${ACCOUNT}/workers/dispatch/namespaces/${NAMESPACE}/scripts/${name}`
    const refused: unknown = await client
      .put(path, { body: scriptForm('export default {}', [{ type: 'r2_bucket', name: 'B' }]) })
      .catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(Cloudflare.APIError)
    expect((refused as InstanceType<typeof Cloudflare.APIError>).status).toBe(400)
    expect((refused as InstanceType<typeof Cloudflare.APIError>).errors).toEqual([
      {
        code: 10021,
        message:
          'the upload’s metadata declares what this platform does not provide:\n- bindings: R2 bucket "B"\nRemove it from the upload’s metadata to deploy here.',
      },
    ])
  })
})
