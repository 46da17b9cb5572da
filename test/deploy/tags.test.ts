import { describe, expect, it } from 'vitest'
import { checkTags, MAX_TAGS } from '../../src/deploy/tags'
import { uniqueName } from '../helpers'
import { bothBackends, recorded } from '../backends/namespace-double'

// A worker's own tags (deploy/tags.ts): set by the API, the form and wrangler's upload metadata,
// kept across uploads that do not mention them, shown in the list and filtered by.

describe('tag rules', () => {
  it('keeps trimmed, distinct tags and refuses what Cloudflare would not take', () => {
    expect(checkTags([' team:billing ', 'beta', 'beta', ''])).toEqual(['team:billing', 'beta'])
    expect(() => checkTags(['a,b'])).toThrow('may not hold "," or "&"')
    expect(() => checkTags(['a&b'])).toThrow('may not hold "," or "&"')
    expect(() => checkTags(['owner:me'])).toThrow("which the platform's own tags use")
    expect(() => checkTags(['x'.repeat(65)])).toThrow('longer than 64 characters')
    expect(() => checkTags(Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`))).toThrow(
      `At most ${MAX_TAGS} tags per worker`,
    )
  })
})

describe.each(bothBackends(5))('tags on $kind', ({ kind, call }) => {
  const put = (name: string, body: unknown, token?: string) =>
    call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    })
  const script = 'export default { fetch: () => new Response("ok") }'

  it('sets them with an upload, keeps them across one that does not mention them, and filters the list by one', async () => {
    const tag = uniqueName('team')
    const name = uniqueName('tagged')
    const first = await put(name, { script, tags: [tag, 'beta'] })
    expect(first.status, await first.clone().text()).toBe(201)
    const { token } = await first.json<{ token: string }>()
    const again = await put(name, { script }, token)
    expect(await again.json()).toMatchObject({ settings: { tags: [tag, 'beta'] } })
    await put(uniqueName('untagged'), { script })

    const listed = await (
      await call(`/api/workers?tag=${encodeURIComponent(tag)}`)
    ).json<{ workers: { name: string; tags?: string[] }[] }>()
    expect(listed.workers).toEqual([expect.objectContaining({ name, tags: [tag, 'beta'] })])
    const page = await (await call(`/?tag=${encodeURIComponent(tag)}`)).text()
    expect(page).toContain(`href="/workers/${name}"`)
    expect(page).toContain(`value="${tag}"`)

    const cleared = await put(name, { script, tags: [] }, token)
    expect(await cleared.json()).toMatchObject({ settings: { tags: [] } })
    expect((await put(name, { script, tags: ['a,b'] }, token)).status).toBe(400)
    if (kind === 'dispatch-namespace') {
      const uploads = (await recorded()).filter(
        (request) => request.method === 'PUT' && request.path.includes('/scripts/'),
      )
      const metadata = uploads.map(
        (upload) => JSON.parse(upload.parts.find((part) => part.field === 'metadata')!.content) as { tags: string[] },
      )
      expect(metadata.some((entry) => (entry.tags ?? []).slice(2).join() === `${tag},beta`)).toBe(true)
      expect(metadata.every((entry) => (entry.tags ?? []).length <= 8)).toBe(true)
    }
  })
})
