import { describe, expect, it } from 'vitest'
import { platform, platformWith, putScript, uniqueName } from '../helpers'

// The Cache API of a user Worker on dynamic-workers (cache/tenant-cache.ts, cache/cache-shim.ts):
// a loaded isolate has none of its own, so the platform provides `caches` per isolation mode.

const CACHING = `export default {
  async fetch(request) {
    const url = new URL(request.url);
    const key = new Request("https://cache.test/" + url.searchParams.get("key"));
    const cache = url.searchParams.get("cache") === "default" ? caches.default : await caches.open("pages");
    if (url.pathname.endsWith("/put")) {
      await cache.put(key, new Response(url.searchParams.get("value"), { headers: { "Cache-Control": "max-age=600" } }));
      return new Response("stored");
    }
    const hit = await cache.match(key);
    return new Response(hit ? "hit: " + (await hit.text()) : "miss");
  },
};`

const call = (name: string, query: string, trusted = false) =>
  trusted
    ? platformWith({ USER_WORKERS_TRUSTED: 'true' }, `/user-workers/${name}/${query}`)
    : platform(`/user-workers/${name}/${query}`)

describe('the Cache API on dynamic-workers', () => {
  it("untrusted (the default): caches.open() is the worker's own; caches.default stores nothing", async () => {
    const [mine, theirs] = [uniqueName('cache'), uniqueName('cache')]
    expect((await putScript(mine, CACHING)).status).toBe(201)
    expect((await putScript(theirs, CACHING)).status).toBe(201)
    expect(await (await call(mine, 'put?key=a&value=one')).text()).toBe('stored')
    expect(await (await call(mine, 'get?key=a')).text()).toBe('hit: one')
    // The same cache name in another worker is another cache.
    expect(await (await call(theirs, 'get?key=a')).text()).toBe('miss')
    // caches.default is disabled, as in an untrusted namespace: a miss, whatever was put.
    await call(mine, 'put?key=b&value=two&cache=default')
    expect(await (await call(mine, 'get?key=b&cache=default')).text()).toBe('miss')
  })

  it('trusted (USER_WORKERS_TRUSTED): caches.default and caches.open() are shared by the workers', async () => {
    const [one, two] = [uniqueName('cache'), uniqueName('cache')]
    await putScript(one, CACHING)
    await putScript(two, CACHING)
    const key = uniqueName('k')
    await call(one, `put?key=${key}&value=shared&cache=default`, true)
    expect(await (await call(two, `get?key=${key}&cache=default`, true)).text()).toBe('hit: shared')
    await call(one, `put?key=${key}&value=opened`, true)
    expect(await (await call(two, `get?key=${key}`, true)).text()).toBe('hit: opened')
  })

  it('is taken out of the env the code sees, and a Worker that never names caches is left as it was', async () => {
    const name = uniqueName('cache')
    const envKeys = `export default { fetch(request, env) { return Response.json({ keys: Object.keys(env), kind: typeof caches }) } }`
    await putScript(name, envKeys.replace('kind: typeof caches', 'kind: typeof caches.open'))
    expect(await (await platform(`/user-workers/${name}`)).json()).toEqual({ keys: [], kind: 'function' })
    // No `caches` in its code: no binding, no added module, the runtime's own (missing) Cache API.
    const plain = uniqueName('cache')
    await putScript(
      plain,
      `export default { fetch(request, env) { return Response.json({ keys: Object.keys(env) }) } }`,
    )
    expect(await (await platform(`/user-workers/${plain}`)).json()).toEqual({ keys: [] })
  })
})
