import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { deployNew, platform, platformWith, postForm, putScript, uniqueName } from '../helpers'

const ENV_SCRIPT = 'export default { fetch(request, env) { return Response.json(env) } }'

const putJson = (name: string, body: Record<string, unknown>, token?: string, overrides = {}) =>
  platformWith(overrides, `/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })

async function served(name: string, overrides = {}) {
  return (await platformWith(overrides, `/user-workers/${name}`)).json<Record<string, unknown>>()
}

describe('environment variables and secrets', () => {
  it('reach the user Worker’s env; secrets are write-only and kept across updates', async () => {
    const name = uniqueName('env')
    const created = await putJson(name, {
      script: ENV_SCRIPT,
      vars: { GREETING: 'hi' },
      secrets: { API_KEY: 's3cr3t-value-1' },
    })
    expect(created.status).toBe(201)
    const createdText = await created.text()
    expect(createdText).not.toContain('s3cr3t-value-1')
    const { token } = JSON.parse(createdText) as { token: string }
    expect(await served(name)).toEqual({ GREETING: 'hi', API_KEY: 's3cr3t-value-1' })

    // Code-only update: vars and secrets stay.
    await putScript(name, ENV_SCRIPT.replace('Response.json(env)', 'Response.json({ ...env, v: 2 })'), token)
    expect(await served(name)).toEqual({ GREETING: 'hi', API_KEY: 's3cr3t-value-1', v: 2 })

    // null deletes; a new value replaces.
    await putJson(
      name,
      { script: ENV_SCRIPT, vars: { GREETING: null, MODE: 'prod' }, secrets: { API_KEY: 's3cr3t-value-2' } },
      token,
    )
    expect(await served(name)).toEqual({ MODE: 'prod', API_KEY: 's3cr3t-value-2' })

    const described = await (await platform(`/api/workers/${name}`)).text()
    expect((JSON.parse(described) as { settings: unknown }).settings).toMatchObject({
      vars: ['MODE'],
      secrets: ['API_KEY'],
    })
    const page = await (await platform(`/workers/${name}`)).text()
    const upload = await (await platform(`/upload?name=${name}`)).text()
    for (const text of [described, page, upload]) {
      expect(text).not.toContain('s3cr3t-value')
      expect(text).toContain('API_KEY')
    }
  })

  it('a rollback brings back that deployment’s vars and secrets', async () => {
    const name = uniqueName('env-rollback')
    const first = await (
      await putJson(name, { script: ENV_SCRIPT, vars: { V: '1' }, secrets: { S: 'one' } })
    ).json<{ token: string; workerId: string }>()
    await putJson(name, { script: ENV_SCRIPT, vars: { V: '2' }, secrets: { S: 'two' } }, first.token)
    expect(await served(name)).toEqual({ V: '2', S: 'two' })
    await platform(`/api/workers/${name}/rollback`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${first.token}` },
      body: JSON.stringify({ deployment: first.workerId }),
    })
    expect(await served(name)).toEqual({ V: '1', S: 'one' })
  })

  it('are set from the form as KEY=value lines; -KEY removes one', async () => {
    const name = uniqueName('env-form')
    const res = await postForm({ name, script: ENV_SCRIPT, vars: 'A=1\nB = two', secrets: 'TOKEN=abc=def' })
    expect(res.status).toBe(303)
    const location = res.headers.get('location')!
    expect(await served(name)).toEqual({ A: '1', B: ' two', TOKEN: 'abc=def' })
    const html = await (await platform(location)).text()
    const token = html.match(/>(dt_[A-Za-z0-9_-]+)<\/textarea>/)![1]!
    await postForm({ name, script: ENV_SCRIPT, vars: '-A', secrets: '-TOKEN', token })
    expect(await served(name)).toEqual({ B: ' two' })
  })

  it('are encrypted at rest with SECRETS_KEY', async () => {
    const key = { SECRETS_KEY: 'a-secrets-key-of-at-least-32-characters!' }
    const name = uniqueName('sealed')
    const res = await putJson(name, { script: ENV_SCRIPT, secrets: { S: 'plain-text-value' } }, undefined, key)
    const { workerId } = await res.json<{ workerId: string }>()
    const sealed = await env.NAME_CLAIMS.getByName(name).readSecrets(workerId)
    expect(sealed?.encrypted).toBe(true)
    expect(JSON.stringify(sealed)).not.toContain('plain-text-value')
    expect(await served(name, key)).toEqual({ S: 'plain-text-value' })
  })

  it.each([
    [{ vars: { 'BAD-NAME': 'x' } }, 'is not a valid variable name'],
    [{ vars: { A: 1 } }, 'must be a string'],
    [{ vars: { X: 'x' }, secrets: { X: 'y' } }, 'both a variable and a secret'],
    [{ vars: { BIG: 'x'.repeat(6000) } }, 'longer than 5 KiB'],
    [{ egress: { mode: 'some' } }, 'Egress mode must be one of'],
    [{ egress: { mode: 'allow-list', hosts: [] } }, 'needs at least one host'],
    [{ egress: { mode: 'allow-list', hosts: ['http://x.com/'] } }, 'is not a host name'],
    [{ limits: { cpuMs: 999999 } }, 'from 1 to 30000'],
    [{ limits: { subRequests: 0 } }, 'from 1 to 1000'],
    [{ limits: { cpuMs: '5' } }, 'must be a number'],
  ])('refuses invalid settings %j (400)', async (settings, message) => {
    const name = uniqueName('bad-settings')
    const res = await putJson(name, { script: ENV_SCRIPT, ...settings })
    expect(res.status).toBe(400)
    const { error } = await res.json<{ error: { code: string; message: string } }>()
    expect(error.code).toBe('invalid_settings')
    expect(error.message).toContain(message)
    expect((await platform(`/api/workers/${name}`)).status).toBe(404)
  })

  it('re-renders the form on a malformed line without echoing it', async () => {
    const res = await postForm({ name: uniqueName('bad-line'), script: ENV_SCRIPT, secrets: 'justasecretvalue' })
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toContain('Line 1 is not KEY=value')
    expect(html).not.toContain('justasecretvalue')
  })
})

const FETCHER = `export default {
  async fetch() {
    const results = {};
    for (const url of ["http://cloudflare-api.test/__double/requests", "http://other.test/"]) {
      try { results[new URL(url).hostname] = (await fetch(url)).status } catch (e) { results[new URL(url).hostname] = String(e.message) }
    }
    return Response.json(results);
  },
};`

describe('egress policy', () => {
  it('allow-all (default) lets fetch() through', async () => {
    const name = uniqueName('egress-all')
    await deployNew(name, FETCHER)
    expect(await served(name)).toEqual({ 'cloudflare-api.test': 200, 'other.test': 502 })
  })

  it('block-all makes every fetch() fail inside the user Worker', async () => {
    const name = uniqueName('egress-none')
    await putJson(name, { script: FETCHER, egress: { mode: 'block-all', hosts: [] } })
    const result = await served(name)
    expect(String(result['cloudflare-api.test'])).toMatch(/not permitted|disallowed|not allowed/i)
  })

  it('an allow-list lets listed hosts through and fails the others with a clear error', async () => {
    const name = uniqueName('egress-list')
    await putJson(name, {
      script: FETCHER,
      egress: { mode: 'allow-list', hosts: ['*.api.test', 'cloudflare-api.test'] },
    })
    expect(await served(name)).toEqual({
      'cloudflare-api.test': 200,
      'other.test': "Egress blocked by the platform: other.test is not on this worker's allow-list.",
    })
    const html = await (await platform(`/workers/${name}`)).text()
    expect(html).toContain('allow-list: *.api.test, cloudflare-api.test')
  })

  it('"Upload a new version" and a refused form keep raw sockets allowed, so re-submitting does not turn them off', async () => {
    const name = uniqueName('egress-sockets')
    const res = await putJson(name, { script: FETCHER, egress: { mode: 'allow-all', hosts: [], sockets: true } })
    const { token } = await res.json<{ token: string }>()
    const checkbox = /<input[^>]*name="egress_sockets"[^>]*>/
    expect((await (await platform(`/upload?name=${name}`)).text()).match(checkbox)?.[0]).toContain('checked')
    const refused = await postForm({
      name,
      script: 'export default {',
      egress: 'allow-all',
      egress_sockets: 'on',
      token,
    })
    expect(refused.status).toBe(400)
    expect((await refused.text()).match(checkbox)?.[0]).toContain('checked')
  })
})

describe('custom limits', () => {
  it('default to the platform defaults and can be raised up to the maxima', async () => {
    const name = uniqueName('limits')
    const res = await putJson(name, { script: ENV_SCRIPT, limits: { cpuMs: 200 } })
    const described = await (await platform(`/api/workers/${name}`)).json<{ settings: { limits: unknown } }>()
    expect(res.status).toBe(201)
    expect(described.settings.limits).toEqual({ cpuMs: 200, subRequests: 50 })
    expect(await (await platform(`/workers/${name}`)).text()).toContain('200 ms CPU, 50 subrequests per request')
  })

  it('platform defaults and maxima are configurable', async () => {
    const name = uniqueName('limits-config')
    const overrides = { USER_CPU_MS: '10', USER_CPU_MS_MAX: '20' }
    await putJson(name, { script: ENV_SCRIPT }, undefined, overrides)
    const described = await (
      await platformWith(overrides, `/api/workers/${name}`)
    ).json<{ settings: { limits: { cpuMs: number } } }>()
    expect(described.settings.limits.cpuMs).toBe(10)
    const over = await putJson(
      uniqueName('limits-over'),
      { script: ENV_SCRIPT, limits: { cpuMs: 21 } },
      undefined,
      overrides,
    )
    expect(over.status).toBe(400)
  })
})
