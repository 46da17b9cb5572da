import { describe, expect, it } from 'vitest'
import { platform, uniqueName } from '../helpers'
import { BASE, NAMESPACED, newAccountToken, put, upload } from './helpers'

// The Cloudflare API subset under /client/v4 (routes/client-api.ts), called as wrangler calls it
// (`wrangler deploy --dispatch-namespace`: test/e2e/wrangler.e2e.mjs runs the real one).

describe('/client/v4: the Cloudflare API, as wrangler calls it', () => {
  it('answers in the envelope everywhere, a new script with 10092', async () => {
    const name = uniqueName('cf')
    const missing = await platform(NAMESPACED(name))
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({
      success: false,
      errors: [{ code: 10092, message: `There is no worker "${name}" on this platform.` }],
      messages: [],
      result: null,
    })
    const nowhere = await platform('/client/v4/zones')
    expect(nowhere.status).toBe(404)
    expect(await nowhere.json()).toMatchObject({ success: false, errors: [{ code: 7003 }] })
    const secrets = await platform(`${BASE}/scripts/${name}/secrets`)
    expect(await secrets.json()).toMatchObject({ success: false, errors: [{ code: 10007 }] })
  })

  it('deploys an upload as a deployment of the name, with its vars and secrets, for the account whose token it is', async () => {
    const name = uniqueName('cf')
    const token = await newAccountToken()
    const bindings = [
      { type: 'plain_text', name: 'GREETING', text: 'hello' },
      { type: 'secret_text', name: 'TOKEN', text: 's3cret' },
    ]
    const first = await put(name, upload({ bindings, compatibility_date: '2026-11-01' }), token)
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ success: true, errors: [], result: { id: name } })
    expect(await (await platform(`/user-workers/${name}/`)).text()).toBe('hello s3cret')
    const found = await platform(NAMESPACED(name))
    expect(await found.json()).toMatchObject({ success: true, result: { script: { id: name } } })
    expect(await (await platform(`${BASE}/scripts/${name}/secrets`)).json()).toMatchObject({
      result: [{ name: 'TOKEN', type: 'secret_text' }],
    })
    // Another tenant's token changes nothing.
    const other = await put(
      name,
      upload({ bindings: [{ type: 'plain_text', name: 'GREETING', text: 'taken' }] }),
      await newAccountToken(),
    )
    expect(other.status).toBe(403)
    expect(other.body).toMatchObject({ success: false, errors: [{ code: 10000 }] })
    expect(await (await platform(`/user-workers/${name}/`)).text()).toBe('hello s3cret')
  })

  it('refuses a binding the platform does not provide, by name — a forged service binding to its own entrypoints included — and changes nothing', async () => {
    const name = uniqueName('cf')
    const token = await newAccountToken()
    await put(name, upload({ bindings: [{ type: 'plain_text', name: 'GREETING', text: 'kept' }] }), token)
    const forged = await put(
      name,
      upload({
        bindings: [
          {
            type: 'service',
            name: 'STOLEN',
            service: 'workers-for-platforms',
            entrypoint: 'TenantKV',
            props: { name: 'victim' },
          },
          { type: 'r2_bucket', name: 'BUCKET', bucket_name: 'b' },
        ],
      }),
      token,
    )
    expect(forged.status).toBe(400)
    expect(forged.body.errors[0]).toEqual({
      code: 10021,
      message:
        'the upload’s metadata declares what this platform does not provide:\n- bindings: service binding "STOLEN"\n- bindings: R2 bucket "BUCKET"\nRemove them from the upload’s metadata to deploy here.',
    })
    expect(await (await platform(`/user-workers/${name}/`)).text()).toBe('kept none')
  })

  it('refuses a forged binding of every kind the platform does not provide, one upload each, and changes nothing', async () => {
    const name = uniqueName('cf')
    const token = await newAccountToken()
    await put(name, upload({ bindings: [{ type: 'plain_text', name: 'GREETING', text: 'kept' }] }), token)
    // Each with the fields Cloudflare's API takes for it, pointed at what a tenant must not reach.
    const forged: Record<string, unknown>[] = [
      { type: 'service', service: 'workers-for-platforms', entrypoint: 'TenantSQL', props: { name: 'victim' } },
      { type: 'durable_object_namespace', class_name: 'NameClaim', script_name: 'workers-for-platforms' },
      { type: 'dispatch_namespace', namespace: 'production' },
      { type: 'r2_bucket', bucket_name: 'platform-backups' },
      { type: 'queue', queue_name: 'q' },
      { type: 'ai' },
      { type: 'vectorize', index_name: 'i' },
      { type: 'hyperdrive', id: 'h' },
      { type: 'workflow', workflow_name: 'w', class_name: 'W' },
      { type: 'analytics_engine', dataset: 'd' },
      { type: 'browser' },
      { type: 'mtls_certificate', certificate_id: 'c' },
      { type: 'send_email' },
      { type: 'version_metadata' },
      { type: 'secret_key', algorithm: { name: 'HMAC', hash: 'SHA-256' }, format: 'raw', key_base64: 'AA==' },
      { type: 'wasm_module', part: 'index.js' },
      { type: 'text_blob', part: 'index.js' },
      { type: 'data_blob', part: 'index.js' },
      { type: 'something_new' },
    ]
    for (const binding of forged) {
      const refused = await put(name, upload({ bindings: [{ ...binding, name: 'FORGED' }] }), token)
      expect(refused.status, String(binding.type)).toBe(400)
      expect(refused.body.errors[0]?.code).toBe(10021)
      expect(refused.body.errors[0]?.message).toMatch(/- bindings: .*"FORGED"/)
    }
    expect(await (await platform(`/user-workers/${name}/`)).text()).toBe('kept none')
    const worker = await (await platform(`/api/workers/${name}`)).json<{ deployments: unknown[] }>()
    expect(worker.deployments).toHaveLength(1)
  })

  it('refuses an upload without its metadata or its main module, in the envelope', async () => {
    const name = uniqueName('cf')
    const form = upload({})
    form.delete('metadata')
    expect(await put(name, form)).toMatchObject({
      status: 400,
      body: { errors: [{ code: 10021, message: 'The upload has no "metadata" part.' }] },
    })
    const noMain = await put(name, upload({ main_module: 'main.js' }))
    expect(noMain.body.errors[0]?.message).toBe('The main module "main.js" is not among the upload\'s parts.')
  })

  it('sets and deletes a secret as a new deployment of the code served, keeping it in the history', async () => {
    const name = uniqueName('cf')
    const token = await newAccountToken()
    await put(name, upload({ bindings: [{ type: 'plain_text', name: 'GREETING', text: 'hi' }] }), token)
    const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }
    const set = await platform(`${BASE}/scripts/${name}/secrets`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ name: 'TOKEN', text: 'v1', type: 'secret_text' }),
    })
    expect(await set.json()).toMatchObject({ success: true, result: { name: 'TOKEN', type: 'secret_text' } })
    expect(await (await platform(`/user-workers/${name}/`)).text()).toBe('hi v1')
    const removed = await platform(`${BASE}/scripts/${name}/secrets/TOKEN`, { method: 'DELETE', headers: auth })
    expect(await removed.json()).toMatchObject({ success: true })
    expect(await (await platform(`/user-workers/${name}/`)).text()).toBe('hi none')
    const history = await (await platform(`/api/workers/${name}`)).json<{ deployments: { label: string }[] }>()
    expect(history.deployments.map((deployment) => deployment.label)).toEqual([
      'secret TOKEN deleted',
      'secret TOKEN set',
      'v1',
    ])
    // Without the owner's token nothing changes.
    const refused = await platform(`${BASE}/scripts/${name}/secrets`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${await newAccountToken()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'TOKEN', text: 'stolen' }),
    })
    expect(refused.status).toBe(403)
    expect(await (await platform(`/user-workers/${name}/`)).text()).toBe('hi none')
  })

  it('refuses the placeholder Worker wrangler uploads for a secret of a missing worker', async () => {
    const res = await platform(`${BASE}/scripts/${uniqueName('cf')}`, { method: 'PUT', body: 'x' })
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({
      errors: [
        {
          code: 10007,
          message:
            'There is no such worker on this platform: deploy it first (wrangler deploy --dispatch-namespace <any>), then set its secrets.',
        },
      ],
    })
  })

  it('says who a token is: its account for a live API token, 1000 / 10001 for anything else', async () => {
    const token = await newAccountToken()
    const verified = await platform('/client/v4/user/tokens/verify', { headers: { Authorization: `Bearer ${token}` } })
    expect(await verified.json()).toMatchObject({ success: true, result: { status: 'active' } })
    const accounts = await (
      await platform('/client/v4/accounts', { headers: { Authorization: `Bearer ${token}` } })
    ).json<{ result: { id: string }[] }>()
    expect(token.startsWith(`at_${accounts.result[0]?.id}_`)).toBe(true)
    const unknown = { headers: { Authorization: 'Bearer at_nobody_x' } }
    expect(await (await platform('/client/v4/user/tokens/verify', unknown)).json()).toMatchObject({
      errors: [{ code: 1000 }],
    })
    const refused = await platform('/client/v4/accounts', unknown)
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ errors: [{ code: 10001 }] })
  })

  it('sets the crons through the schedules API, as a new deployment, and lists them', async () => {
    const name = uniqueName('cf')
    const token = await newAccountToken()
    const withScheduled = 'export default { fetch: () => new Response("ok"), scheduled() {} };'
    await put(name, upload({}, { 'index.js': withScheduled }), token)
    const schedules = `${BASE}/scripts/${name}/schedules`
    const set = await platform(schedules, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ cron: '*/30 * * * *' }]),
    })
    expect(await set.json()).toMatchObject({ success: true, result: { schedules: [{ cron: '*/30 * * * *' }] } })
    expect(await (await platform(schedules)).json()).toMatchObject({
      result: { schedules: [{ cron: '*/30 * * * *' }] },
    })
    const view = await (await platform(`/api/workers/${name}/cron`)).json<{ crons: string[] }>()
    expect(view.crons).toEqual(['*/30 * * * *'])
    const invalid = await platform(schedules, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ cron: 'every day' }]),
    })
    expect(invalid.status).toBe(400)
    expect(await invalid.json()).toMatchObject({ success: false, errors: [{ code: 10021 }] })
  })
})
