import { describe, expect, it } from 'vitest'
import { platform, postForm, uniqueName } from '../helpers'

// The worker page's Schedule section and "Run now" form; the upload form's crons field.

const SCHEDULED = `export default {
  fetch: () => new Response("ok"),
  async scheduled(controller) { console.log("page run", controller.cron); },
};`

async function deployWithCrons(name: string, crons: string[]) {
  const res = await platform(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ script: SCHEDULED, crons }),
  })
  expect(res.status).toBe(201)
  return (await res.json<{ token: string }>()).token
}

const runNowForm = (name: string, fields: Record<string, string>) =>
  platform(`/workers/${name}/cron/run`, {
    method: 'POST',
    headers: { Origin: 'http://platform.test' },
    body: new URLSearchParams(fields),
  })

describe('worker page: schedule', () => {
  it('shows the crons and the next run, and "Run now" needs the token, then lists the run', async () => {
    const name = uniqueName('page-cron')
    const token = await deployWithCrons(name, ['*/5 * * * *', '0 0 * * *'])
    const page = await (await platform(`/workers/${name}`)).text()
    expect(page).toContain('id="schedule-heading"')
    expect(page).toContain('<code>*/5 * * * *</code>')
    expect(page).toMatch(/Next run<\/dt><dd><time datetime="[^"]+:00\.000Z"/)
    expect(page).toContain('No runs yet.')

    const refused = await runNowForm(name, { token: 'dt_wrong', cron: '0 0 * * *' })
    expect(refused.status).toBe(401)
    expect(await refused.text()).toContain('That token is not valid: it is unknown, or it was revoked.')

    const ran = await runNowForm(name, { token, cron: '0 0 * * *' })
    expect(ran.status).toBe(303)
    expect(ran.headers.get('location')).toBe(`/workers/${name}?ran=ok#schedule-heading`)
    const after = await (await platform(`/workers/${name}?ran=ok`)).text()
    expect(after).toContain('Ran now: ok.')
    expect(after).toMatch(/<code>0 0 \* \* \*<\/code> ok, \d+ ms \(run now\)/)
  })

  it('says when a worker has no crons, and shows the hint of a scheduled() without them', async () => {
    const name = uniqueName('page-nocron')
    await platform(`/api/workers/${name}`, { method: 'PUT', body: SCHEDULED })
    const page = await (await platform(`/workers/${name}`)).text()
    expect(page).toContain('No cron schedules.')
    expect(page).toContain('exports scheduled() but has no crons')
  })
})

describe('upload form: crons', () => {
  it('deploys the crons of the form, one per line', async () => {
    const name = uniqueName('form-cron')
    const res = await postForm({ name, script: SCHEDULED, crons: '*/10 * * * *\r\n\r\n0 12 * * MON\r\n' })
    expect(res.status).toBe(303)
    const described = await (await platform(`/api/workers/${name}`)).json<{ crons: string[] }>()
    expect(described.crons).toEqual(['*/10 * * * *', '0 12 * * MON'])
    const form = await (await platform(`/upload?name=${name}`)).text()
    expect(form).toContain('*/10 * * * *\n0 12 * * MON</textarea>')
  })

  it('keeps what was typed when the upload is refused', async () => {
    const name = uniqueName('form-cron-bad')
    const missing = await postForm({
      name,
      script: 'export default { fetch: () => new Response("x") }',
      crons: '*/5 * * * *',
    })
    expect(missing.status).toBe(400)
    const html = await missing.text()
    expect(html).toContain('no scheduled() handler')
    expect(html).toMatch(/<textarea[^>]*name="crons"[^>]*>\*\/5 \* \* \* \*<\/textarea>/)

    const invalid = await postForm({ name, script: SCHEDULED, crons: '*/5 * * *' })
    expect(invalid.status).toBe(400)
    expect(await invalid.text()).toContain('Cron &quot;*/5 * * *&quot;: has 4 fields')
  })
})
