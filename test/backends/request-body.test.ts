import { describe, expect, it } from 'vitest'
import { platform, uniqueName } from '../helpers'
import { callWatchingForTheToken } from './namespace-double'

// The body a user Worker gets. On dynamic-workers (src/backends/request-body.ts), a Worker that
// answered a POST without reading its body left workerd pumping the platform's request stream after
// the response had gone: an uncaught "Can't read from request stream after response has been sent"
// per request, which the guard on the test output (docs/testing.md) now fails on. A Worker that
// reads it still gets all of it, streamed, with its Content-Length; both backends alike.

const namespace = callWatchingForTheToken(3)

const BACKENDS = [
  { kind: 'dynamic-workers', call: (path: string, init?: RequestInit) => platform(path, init) },
  { kind: 'dispatch-namespace', call: (path: string, init?: RequestInit) => namespace.call(path, init) },
] as const

const SCRIPT = `export default {
  async fetch(request) {
    if (new URL(request.url).pathname === "/ignore") return new Response("ignored");
    return new Response(request.body, { headers: { "x-length": String(request.headers.get("content-length")) } });
  },
};`

describe.each(BACKENDS)('request bodies, $kind', ({ call }) => {
  it('a body the worker ignores is dropped; one it reads arrives whole, streamed', async () => {
    const name = uniqueName('body')
    const res = await call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: SCRIPT }),
    })
    expect(res.status).toBe(201)
    for (const body of ['{}', 'x'.repeat(200_000)]) {
      const ignored = await call(`/user-workers/${name}/ignore`, { method: 'POST', body })
      expect(await ignored.text()).toBe('ignored')
    }
    const body = 'y'.repeat(300_000)
    const echoed = await call(`/user-workers/${name}/echo`, { method: 'POST', body })
    expect(echoed.headers.get('x-length')).toBe(String(body.length))
    expect(await echoed.text()).toBe(body)
    // A body of unknown length (a stream) too.
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
    const writer = writable.getWriter()
    void writer.write(new TextEncoder().encode('streamed')).then(() => writer.close())
    const streamed = await call(`/user-workers/${name}/echo`, { method: 'POST', body: readable })
    expect(await streamed.text()).toBe('streamed')
    expect((await call(`/user-workers/${name}/ignore`)).status).toBe(200)
  })
})
