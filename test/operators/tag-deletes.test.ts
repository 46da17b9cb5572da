import { describe, expect, it } from 'vitest'
import { platform, platformWith, uniqueName } from '../helpers'

// Delete by tag (docs/operators.md): the operator finds the workers a tag is on, confirms their
// count, and each is deleted by the platform's own delete.

const ADMIN = 'admin-token-for-tag-deletes-0123456789abcdef'
const asAdmin = (path: string, init: RequestInit = {}) => platformWith({ ADMIN_TOKEN: ADMIN }, path, init)

async function deployTagged(tag: string) {
  const name = uniqueName('bytag')
  const res = await platform(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ script: 'export default { fetch: () => new Response("ok") }', tags: [tag] }),
  })
  expect(res.status).toBe(201)
  return name
}

describe('delete by tag', () => {
  it('lists the tagged workers, refuses a count that is not theirs, then deletes exactly them', async () => {
    const tag = uniqueName('campaign')
    const names = [await deployTagged(tag), await deployTagged(tag)].sort()
    const other = await deployTagged(uniqueName('keep'))
    const auth = { Authorization: `Bearer ${ADMIN}` }
    const listed = await asAdmin(`/api/admin/tags/${tag}`, { headers: auth })
    expect(await listed.json()).toEqual({ tag, workers: names })

    const wrong = await asAdmin(`/api/admin/tags/${tag}/delete`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ confirm: 3 }),
    })
    expect(wrong.status).toBe(409)
    expect((await platform(`/user-workers/${names[0]}/`)).status).toBe(200)

    const deleted = await asAdmin(`/api/admin/tags/${tag}/delete`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ confirm: 2 }),
    })
    expect(await deleted.json()).toEqual({ tag, deleted: names, failed: [] })
    for (const name of names) expect((await platform(`/api/workers/${name}`)).status).toBe(404)
    expect((await platform(`/api/workers/${other}`)).status).toBe(200)
  })

  it("is the operator's alone", async () => {
    expect((await asAdmin('/api/admin/tags/anything')).status).toBe(401)
    expect((await asAdmin('/api/admin/tags/anything', { headers: { Authorization: 'Bearer dt_nope' } })).status).toBe(
      403,
    )
  })

  it('has a page that finds, confirms and deletes', async () => {
    const tag = uniqueName('page')
    const name = await deployTagged(tag)
    const form = (path: string, fields: Record<string, string>) =>
      asAdmin(path, { method: 'POST', body: new URLSearchParams(fields) })
    expect(await (await asAdmin('/admin/tags')).text()).toContain('<h2 id="find-heading">Find the workers</h2>')
    const refused = await form('/admin/tags', { tag, token: 'wrong' })
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain(`value="${tag}"`)
    const confirm = await (await form('/admin/tags', { tag, token: ADMIN })).text()
    expect(confirm).toContain(`<a href="/workers/${name}">${name}</a>`)
    expect(confirm).toContain('Delete 1 worker')
    const done = await (await form('/admin/tags/delete', { tag, count: '1', understood: 'yes', token: ADMIN })).text()
    expect(done).toContain('Deleted 1 worker tagged')
    expect((await platform(`/api/workers/${name}`)).status).toBe(404)
  })
})
