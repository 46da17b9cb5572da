import { describe, expect, it } from 'vitest'
import { declaredWrangler, uniqueName } from '../helpers'
import { callWatchingForTheToken } from '../backends/namespace-double'

// dispatch-namespace: a Durable Object namespace belongs to its script, and each deployment is a new
// script there, so objects would be lost at every deploy. Until they run through the loader there
// too, a deploy with Durable Object bindings is refused by name (docs/bring-your-project.md).

const namespace = callWatchingForTheToken(1)

describe('Durable Objects on dispatch-namespace', () => {
  it('refuses a deploy with Durable Object bindings, naming them, and keeps nothing', async () => {
    const name = uniqueName('do-ns')
    const res = await namespace.call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        files: {
          'src/index.js': 'export class Counter {}\nexport default { fetch: () => new Response("ok") };',
          'wrangler.json': declaredWrangler({ durableObjects: [{ binding: 'COUNTER', className: 'Counter' }] }),
        },
      }),
    })
    expect(res.status).toBe(400)
    expect((await res.json<{ error: { message: string } }>()).error.message).toBe(
      'Durable Objects ("COUNTER") run on the dynamic-workers backend only for now; this platform runs dispatch-namespace. See docs/bring-your-project.md.',
    )
    expect((await namespace.call(`/api/workers/${name}`)).status).toBe(404)
  })
})
