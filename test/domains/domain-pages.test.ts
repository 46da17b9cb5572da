import { describe, expect, it } from 'vitest'
import { deployNew, platform, uniqueName } from '../helpers'

// The worker page's custom-domain forms (views/worker-domains.tsx), in development (.test names).

const post = (path: string, fields: Record<string, string>) =>
  platform(path, { method: 'POST', body: new URLSearchParams(fields) })

describe('custom domains on the worker page', () => {
  it('adds a hostname with the deploy token and shows the list with its state', async () => {
    const worker = await deployNew(uniqueName('dompage'), 'export default { fetch: () => new Response("ok") }')
    const page = await platform(`/workers/${worker.name}`)
    const html = await page.text()
    expect(html).toContain('<h2 id="domains-heading">Custom domains</h2>')
    expect(html).toContain('name under <code>.test</code>')

    const hostname = `${uniqueName('site')}.example.test`
    const added = await post(`/workers/${worker.name}/domains`, { hostname, token: worker.token })
    expect(added.status).toBe(200)
    const listed = await added.text()
    expect(listed).toContain(`<code>${hostname}</code>`)
    expect(listed).toContain('<strong>Serving</strong>')
    expect(listed).toContain('Nothing: it serves.')

    // Empty: the list only.
    const shown = await (await post(`/workers/${worker.name}/domains`, { hostname: '', token: worker.token })).text()
    expect(shown).toContain(`<code>${hostname}</code>`)

    const removed = await post(`/workers/${worker.name}/domains/remove`, { hostname, token: worker.token })
    expect(removed.status).toBe(200)
    const after = await removed.text()
    expect(after).not.toContain(`<code>${hostname}</code>`)
    expect(after).toContain('No custom domains yet.')
  })

  it('shows a refusal next to the form and keeps what was typed', async () => {
    const worker = await deployNew(uniqueName('dompage'), 'export default { fetch: () => new Response("ok") }')
    const refused = await post(`/workers/${worker.name}/domains`, { hostname: '10.1.2.3', token: worker.token })
    expect(refused.status).toBe(400)
    const html = await refused.text()
    expect(html).toContain('an IP address is not a hostname.')
    expect(html).toContain('value="10.1.2.3"')
    const wrongToken = await post(`/workers/${worker.name}/domains`, { hostname: 'a.example.test', token: 'wfp_x' })
    expect(wrongToken.status).toBe(401)
  })

  it("lists the domains of a signed-in account's worker without asking, and its forms need no token", async () => {
    const signedUp = await platform('/api/accounts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Domains Co' }),
    })
    const { token } = await signedUp.json<{ token: { value: string } }>()
    const name = uniqueName('dompage')
    const deployed = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token.value}`, 'Content-Type': 'application/javascript' },
      body: 'export default { fetch: () => new Response("ok") }',
    })
    expect(deployed.status).toBe(201)
    const signIn = await post('/signin', { token: token.value })
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';', 1)[0]!
    const hostname = `${uniqueName('signed')}.example.test`
    const added = await platform(`/workers/${name}/domains`, {
      method: 'POST',
      headers: { Cookie: cookie },
      body: new URLSearchParams({ hostname }),
    })
    expect(added.status).toBe(200)
    const html = await (await platform(`/workers/${name}`, { headers: { Cookie: cookie } })).text()
    expect(html).toContain(`<code>${hostname}</code>`)
    expect(html).not.toContain('id="domains-token"')
  })
})
