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
})
