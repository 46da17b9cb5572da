import { describe, expect, it } from 'vitest'
import { declaredWrangler, platform, platformWith, uniqueName } from '../helpers'

// The worker page's rollout forms (routes/rollout-pages.tsx, views/worker-rollout.tsx): start, change,
// promote, abort; refusals shown next to the form with what was typed.

const VERSION = (version: string) => `export default { fetch: () => new Response("${version}") };`

async function put(name: string, body: unknown, token?: string, query = '') {
  return platform(`/api/workers/${name}${query}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
}

/** A worker serving v1 with v2 uploaded as a candidate. */
async function withCandidate(prefix: string, files?: (version: string) => unknown) {
  const name = uniqueName(prefix)
  const body = (version: string) => (files ? files(version) : { script: VERSION(version) })
  const first = await (await put(name, body('v1'))).json<{ token: string; workerId: string }>()
  const second = await (
    await put(name, body('v2'), first.token, '?promote=false')
  ).json<{
    deployments: { workerId: string; current: boolean }[]
  }>()
  const v2 = second.deployments.find((deployment) => !deployment.current)!.workerId
  return { name, token: first.token, v1: first.workerId, v2 }
}

const post = (path: string, fields: Record<string, string>) =>
  platform(path, { method: 'POST', body: new URLSearchParams(fields) })

/** The page's rollout section. */
async function section(res: Response): Promise<string> {
  const html = await res.text()
  const start = html.indexOf('id="rollout-heading"')
  expect(start).toBeGreaterThan(-1)
  return html.slice(start, html.indexOf('</section>', start))
}

describe('the rollout form on the worker page', () => {
  it('starts a rollout, shows both sides next to each other, changes its share and aborts it', async () => {
    const { name, token, v2 } = await withCandidate('rollout-form')
    const page = await (await platform(`/workers/${name}`)).text()
    // The promote form points to the gradual way too.
    expect(page).toContain('use the <a href="#rollout-heading">gradual rollout</a>')
    const before = await section(new Response(page))
    expect(before).toContain(`<option value="${v2}" selected="">v2 (${v2}, newer)</option>`)
    expect(before).toContain('Start the rollout')
    expect(before).toContain('name="token"')
    expect(before).not.toContain('Abort the rollout')

    const started = await post(`/workers/${name}/rollout`, { deployment: v2, percent: '50', token })
    expect(started.status).toBe(303)
    expect(started.headers.get('location')).toBe(`/workers/${name}#rollout-heading`)
    for (let i = 0; i < 10; i++) await platform(`/user-workers/${name}/`, { headers: { Cookie: `wfp_visitor=p${i}` } })

    const during = await section(await platform(`/workers/${name}`))
    expect(during).toMatch(/<th scope="col">Serving: v1<\/th><th scope="col">Candidate: v2<\/th>/)
    expect(during).toMatch(/<th scope="row">Share of visitors<\/th><td>50 %<\/td><td>50 %<\/td>/)
    const requests = /<th scope="row">Requests<\/th><td>(\d+)<\/td><td>(\d+)<\/td>/.exec(during)
    expect(Number(requests?.[1]) + Number(requests?.[2])).toBe(10)
    expect(during).toContain('Since the rollout started, <time')
    expect(during).not.toContain('last 24 hours of the rollout')
    expect(during).toContain('Per minute')
    expect(during).toContain('Change the rollout')
    expect(during).toContain('value="50"')
    expect(during).toContain(`Promote v2 to 100 %`)

    expect((await post(`/workers/${name}/rollout`, { deployment: v2, percent: '80', token })).status).toBe(303)
    const api = await (await platform(`/api/workers/${name}/rollout`)).json()
    expect(api).toMatchObject({ rollout: { candidate: v2, percent: 80 }, current: { percent: 20 } })

    const aborted = await post(`/workers/${name}/rollout/abort`, { deployment: v2, token })
    expect(aborted.status).toBe(303)
    expect(await (await platform(`/api/workers/${name}/rollout`)).json()).toEqual({ name, rollout: null })
    expect(await section(await platform(`/workers/${name}`))).toContain('Start the rollout')
  })

  it('acts with the session of a signed-in owner: no token field', async () => {
    const { name, token, v2 } = await withCandidate('rollout-session')
    const signIn = await platform('/signin', { method: 'POST', body: new URLSearchParams({ token, worker: name }) })
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';', 1)[0]!
    const signedIn = { headers: { Cookie: cookie } }
    expect(await section(await platform(`/workers/${name}`, signedIn))).not.toContain('name="token"')
    const started = await platform(`/workers/${name}/rollout`, {
      method: 'POST',
      ...signedIn,
      body: new URLSearchParams({ deployment: v2, percent: '20' }),
    })
    expect(started.status).toBe(303)
    const during = await section(await platform(`/workers/${name}`, signedIn))
    expect(during).toContain('Abort the rollout')
    expect(during).not.toContain('name="token"')
    // Anyone else: the deploy token asked for in each form.
    expect((await section(await platform(`/workers/${name}`))).match(/name="token"/g)).toHaveLength(2)
    const aborted = await platform(`/workers/${name}/rollout/abort`, { method: 'POST', ...signedIn, body: '' })
    expect(aborted.status).toBe(303)
    expect(await (await platform(`/api/workers/${name}/rollout`)).json()).toEqual({ name, rollout: null })
  })

  it('promotes the candidate to 100 %', async () => {
    const { name, token, v2 } = await withCandidate('rollout-promote')
    await post(`/workers/${name}/rollout`, { deployment: v2, percent: '10', token })
    const promoted = await post(`/workers/${name}/rollout/promote`, { deployment: v2, token })
    expect(promoted.status).toBe(303)
    expect(promoted.headers.get('location')).toBe(`/workers/${name}?promoted=1`)
    expect(await (await platform(`/api/workers/${name}`)).json()).toMatchObject({ workerId: v2, rollout: null })
    expect(await (await platform(`/user-workers/${name}/`)).text()).toBe('v2')
  })

  it('shows a refusal next to the form, keeping what was typed', async () => {
    const { name, token, v2 } = await withCandidate('rollout-refused')
    const badPercent = await post(`/workers/${name}/rollout`, { deployment: v2, percent: '150', token })
    expect(badPercent.status).toBe(400)
    const refused = await section(badPercent)
    expect(refused).toMatch(/role="alert">A rollout takes a whole percentage from 1 to 99/)
    expect(refused).toContain('value="150"')
    const notANumber = await section(await post(`/workers/${name}/rollout`, { deployment: v2, percent: 'half', token }))
    expect(notANumber).toContain('The share of visitors is a whole percentage from 1 to 99.')
    expect(notANumber).toContain('value="half"')

    const wrongToken = await post(`/workers/${name}/rollout`, { deployment: v2, percent: '20', token: 'wrong' })
    expect(wrongToken.status).toBe(401)
    expect(await section(wrongToken)).toContain('value="20"')
    expect(await (await platform(`/api/workers/${name}/rollout`)).json()).toEqual({ name, rollout: null })

    // Nothing to abort: said next to the form.
    const nothing = await post(`/workers/${name}/rollout/abort`, { token })
    expect(nothing.status).toBe(404)
    expect(await section(nothing)).toContain('has no rollout to abort')
  })

  it('refuses a candidate with migrations, and a suspended worker, next to the form', async () => {
    const { name, token, v2 } = await withCandidate('rollout-mig-form', (version) => ({
      files: {
        'src/index.js': VERSION(version),
        'wrangler.json': declaredWrangler({
          d1: [
            {
              binding: 'DB',
              migrationsDir: 'migrations',
              migrations: version === 'v1' ? [] : [{ name: '0001_notes.sql', sql: 'CREATE TABLE notes (id INTEGER)' }],
            },
          ],
        }),
      },
    }))
    const migrations = await post(`/workers/${name}/rollout`, { deployment: v2, percent: '10', token })
    expect(migrations.status).toBe(400)
    expect(await section(migrations)).toContain('brought D1 or Durable Object migrations')

    const admin = 'admin-token-for-rollout-forms-0123456789abcdef'
    const suspended = await platformWith({ ADMIN_TOKEN: admin }, `/api/admin/workers/${name}/suspend`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'a test' }),
    })
    expect(suspended.status).toBe(200)
    const refused = await post(`/workers/${name}/rollout`, { deployment: v2, percent: '10', token })
    expect(refused.status).toBe(403)
    expect(await section(refused)).toContain('suspended by the platform')
  })
})
