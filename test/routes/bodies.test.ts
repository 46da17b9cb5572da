import { describe, expect, it } from 'vitest'
import { deployNew, helloScript, inputValue, platform, postForm, textareaContent, uniqueName } from '../helpers'

// Wrong request bodies are refused by their schemas: the same 400 as before, and a message that
// names the field that was wrong, in the endpoint's own words.

const SCRIPT = 'export default { fetch() { return new Response("ok") } }'

async function refusal(res: Response): Promise<{ status: number; code: string; message: string }> {
  const { error } = await res.json<{ error: { code: string; message: string } }>()
  return { status: res.status, ...error }
}

const postJson = (path: string, body: string, token?: string) =>
  platform(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body,
  })

describe('the API’s JSON bodies', () => {
  it.each([
    ['{"deployment": 5}', '"deployment"'],
    ['{}', '"deployment"'],
    ['null', '"deployment"'],
    ['{"deployment": ', 'not valid JSON'],
  ])('promote refuses %s naming what it takes', async (body, named) => {
    const { name, token } = await deployNew(uniqueName('promote-body'), helloScript('x'))
    const refused = await refusal(await postJson(`/api/workers/${name}/promote`, body, token))
    expect(refused).toMatchObject({ status: 400, code: 'invalid_request' })
    expect(refused.message).toContain(named)
    // Not the upload's advice: promote takes no script.
    expect(refused.message).not.toContain('"script"')
  })

  it.each([
    ['{"cron": 5}', '"cron"'],
    ['{"cron": ', 'not valid JSON'],
  ])('cron/run refuses %s naming what it takes', async (body, named) => {
    const { name, token } = await deployNew(uniqueName('cron-body'), helloScript('x'))
    const refused = await refusal(await postJson(`/api/workers/${name}/cron/run`, body, token))
    expect(refused).toMatchObject({ status: 400, code: 'invalid_request' })
    expect(refused.message).toContain(named)
    expect(refused.message).not.toContain('"script"')
  })

  it.each([
    [{ files: ['src/index.ts'] }, 'invalid_request', '"files" must map paths to contents.'],
    [{ files: { 'a.png': 5 } }, 'invalid_request', '"files.a.png" must be text, or { "base64": "…" }'],
    [{ files: {}, entry: 5 }, 'invalid_request', '"entry" must be a path.'],
    [{ script: 5 }, 'invalid_request', 'The JSON body needs a "script" string'],
    [{ script: SCRIPT, vars: ['A=1'] }, 'invalid_settings', '"vars" must be an object of names to strings.'],
    [{ script: SCRIPT, secrets: { KEY: 1 } }, 'invalid_settings', '"secrets.KEY" must be a string, or null'],
    [{ script: SCRIPT, egress: 'allow-all' }, 'invalid_settings', '"egress" must be { "mode"'],
    [{ script: SCRIPT, egress: { mode: 'allow-list', hosts: 'a.com' } }, 'invalid_settings', '"egress.hosts" must be'],
    [{ script: SCRIPT, storage: { kv: 'yes' } }, 'invalid_settings', '"storage.kv" must be true or false.'],
    [{ script: SCRIPT, publicCode: 'yes' }, 'invalid_settings', '"publicCode" must be true or false.'],
    [{ script: SCRIPT, limits: 5 }, 'invalid_settings', '"limits" must be { "cpuMs"'],
    [{ script: SCRIPT, crons: [5] }, 'invalid_settings', '"crons" must be a list of cron expressions'],
  ])('a deploy of %j is refused naming the field', async (body, code, message) => {
    const res = await platform(`/api/workers/${uniqueName('deploy-body')}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
    const refused = await refusal(res)
    expect(refused).toMatchObject({ status: 400, code })
    expect(refused.message).toContain(message)
  })

  it('a multipart deploy’s settings part is read by the same schema', async () => {
    const form = new FormData()
    form.append('worker.js', new File([SCRIPT], 'worker.js', { type: 'application/javascript+module' }))
    form.append('settings', JSON.stringify({ egress: { mode: 'allow-all', sockets: 'yes' } }))
    const refused = await refusal(await platform(`/api/workers/${uniqueName('parts')}`, { method: 'PUT', body: form }))
    expect(refused).toMatchObject({
      status: 400,
      code: 'invalid_settings',
      message: '"egress.sockets" must be true or false.',
    })
  })
})

describe('the upload form’s settings', () => {
  it('are refused by the schema, naming the field, and the form comes back as typed', async () => {
    const typed = {
      name: uniqueName('form-body'),
      script: SCRIPT,
      vars: 'KEPT=as typed',
      egress: 'bogus',
      cpu_ms: '75',
    }
    const res = await postForm(typed)
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toContain('Egress mode must be one of allow-all, block-all, allow-list.')
    expect(textareaContent(html)).toBe(SCRIPT)
    expect(html).toContain('KEPT=as typed')
    expect(inputValue(html, 'cpu_ms')).toBe('75')
  })
})
