import { describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import type { DeclaredEnv } from '../../src/deploy/build'
import { declaredWrangler, ownerIdOf, platform, uniqueName } from '../helpers'
import { hostName } from '../../src/objects/object-key'

// Durable Objects a project declares (docs/bring-your-project.md), on dynamic-workers: the tenant's
// class runs as a facet of the platform's host object, one host per object (objects/). Projects go
// through the builder double, whose "x-declared" hook is the build's declared env.

const COUNTER = `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  async increment(by = 1) {
    const count = (this.ctx.storage.kv.get("count") ?? 0) + by;
    this.ctx.storage.kv.put("count", count);
    return count;
  }
  async whoami() {
    return { id: this.ctx.id.toString(), version: this.env.VERSION };
  }
  async remind(ms) {
    await this.ctx.storage.setAlarm(Date.now() + ms);
    return this.ctx.storage.getAlarm();
  }
  async reminded() {
    return this.ctx.storage.kv.get("alarms") ?? 0;
  }
  async alarm() {
    this.ctx.storage.kv.put("alarms", (this.ctx.storage.kv.get("alarms") ?? 0) + 1);
  }
  async fetch(request) {
    if (request.headers.get("Upgrade") === "websocket") {
      const pair = new WebSocketPair();
      this.ctx.acceptWebSocket(pair[1]);
      return new Response(null, { status: 101, webSocket: pair[0] });
    }
    const platform = [...request.headers.keys()].filter((name) => name.startsWith("x-platform"));
    return new Response("counter at " + new URL(request.url).pathname + ": " + (this.ctx.storage.kv.get("count") ?? 0) + (platform.length ? " " + platform : ""));
  }
  webSocketMessage(ws, message) {
    ws.send("echo: " + message + " (" + this.ctx.getWebSockets().length + " open)");
  }
}
export default {
  async fetch(request, env) {
    try {
      return await answer(request, env);
    } catch (error) {
      return Response.json({ error: String(error.message) }, { status: 500 });
    }
  },
};
async function answer(request, env) {
    const url = new URL(request.url);
    const name = url.searchParams.get("name") ?? "foo";
    const stub = env.COUNTER.getByName(name);
    if (url.pathname.endsWith("/inc")) return Response.json({ count: await stub.increment() });
    if (url.pathname.endsWith("/who")) return Response.json(await stub.whoami());
    if (url.pathname.endsWith("/id")) return Response.json({ id: env.COUNTER.idFromName(name).toString() });
    if (url.pathname.endsWith("/remind")) return Response.json({ at: await stub.remind(Number(url.searchParams.get("ms"))) });
    if (url.pathname.endsWith("/reminded")) return Response.json({ alarms: await stub.reminded() });
    if (request.headers.get("Upgrade") === "websocket") return stub.fetch(request);
    return stub.fetch("https://object.internal/hello");
}`

const COUNTER_ENV: Partial<DeclaredEnv> = {
  durableObjects: [{ binding: 'COUNTER', className: 'Counter' }],
  objectMigrations: [{ tag: 'v1', newClasses: ['Counter'], renamedClasses: [], deletedClasses: [] }],
}

async function deploy(name: string, declared: Partial<DeclaredEnv>, token?: string, code = COUNTER, version = '1') {
  const res = await platform(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({
      files: { 'src/index.js': code, 'wrangler.json': declaredWrangler(declared) },
      vars: { VERSION: version },
    }),
  })
  if (res.status >= 300) throw new Error(`deploy answered ${res.status}: ${await res.text()}`)
  return res.json<{ token?: string; workerId: string }>()
}

const get = async <T>(name: string, path: string) => {
  const res = await platform(`/user-workers/${name}/${path}`)
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`)
  return res.json<T>()
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

describe('Durable Objects of user Workers (dynamic-workers)', () => {
  it('runs the class by RPC and fetch, each name its own object, ids from names as SHA-256', async () => {
    const name = uniqueName('do')
    await deploy(name, COUNTER_ENV)
    expect(await get(name, 'inc?name=a')).toEqual({ count: 1 })
    expect(await get(name, 'inc?name=a')).toEqual({ count: 2 })
    expect(await get(name, 'inc?name=b')).toEqual({ count: 1 })
    expect(await (await platform(`/user-workers/${name}/?name=a`)).text()).toBe('counter at /hello: 2')
    for (const text of ['a', 'foo', 'x'.repeat(200), 'ünïcødé 🙂']) {
      const { id } = await get<{ id: string }>(name, `id?name=${encodeURIComponent(text)}`)
      expect(id).toBe(await sha256Hex(text))
    }
    const who = await get<{ id: string; version: string }>(name, 'who?name=a')
    expect(who).toEqual({ id: await sha256Hex('a'), version: '1' })
    // The worker page lists the binding with its class and how many objects it holds.
    const page = await (await platform(`/workers/${name}`)).text()
    expect(page).toContain(
      '<code>env.COUNTER</code> (Durable Object, class <code>Counter</code>)</td><td>2 objects</td>',
    )
  })

  it('keeps each object across a deploy and a rollback, the new code taking over at once', async () => {
    const name = uniqueName('do')
    const first = await deploy(name, COUNTER_ENV)
    await get(name, 'inc')
    await deploy(name, COUNTER_ENV, first.token, COUNTER, '2')
    expect(await get(name, 'who')).toMatchObject({ version: '2' })
    expect(await get(name, 'inc')).toEqual({ count: 2 })
    const rollback = await platform(`/api/workers/${name}/rollback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${first.token}` },
      body: JSON.stringify({ deployment: first.workerId }),
    })
    expect(rollback.status).toBe(200)
    expect(await get(name, 'who')).toMatchObject({ version: '1' })
    expect(await get(name, 'inc')).toEqual({ count: 3 })
  })

  it('refuses the first touch of one object more than TENANT_OBJECTS_MAX (3 in the tests), naming it', async () => {
    const name = uniqueName('do')
    await deploy(name, COUNTER_ENV)
    for (const object of ['a', 'b', 'c']) expect(await get(name, `inc?name=${object}`)).toEqual({ count: 1 })
    const refused = await platform(`/user-workers/${name}/inc?name=d`)
    expect(refused.status).toBe(500)
    expect(await refused.json()).toEqual({
      error: `TENANT_OBJECTS_MAX exceeded: the worker "${name}" may make at most 3 Durable Objects.`,
    })
    // The ones it has go on.
    expect(await get(name, 'inc?name=a')).toEqual({ count: 2 })
  })

  it('passes WebSockets through to the object, which may hibernate them (ctx.acceptWebSocket)', async () => {
    const name = uniqueName('do')
    await deploy(name, COUNTER_ENV)
    const upgraded = await platform(`/user-workers/${name}/`, { headers: { Upgrade: 'websocket' } })
    expect(upgraded.status).toBe(101)
    const socket = upgraded.webSocket!
    socket.accept()
    const echoed = new Promise<string>((resolve) =>
      socket.addEventListener('message', (event) => resolve(String(event.data))),
    )
    socket.send('hi')
    expect(await echoed).toBe('echo: hi (1 open)')
    socket.close()
  })

  it('keeps workers apart: the same object name in another worker is another object', async () => {
    const [one, two] = [uniqueName('do'), uniqueName('do')]
    await deploy(one, COUNTER_ENV)
    await deploy(two, COUNTER_ENV)
    await get(one, 'inc')
    await get(one, 'inc')
    expect(await get(two, 'inc')).toEqual({ count: 1 })
  })

  it('fires an alarm the object sets (through its host: facets cannot set alarms)', async () => {
    const name = uniqueName('do')
    await deploy(name, COUNTER_ENV)
    const { at } = await get<{ at: number }>(name, 'remind?ms=50')
    expect(at).toBeGreaterThan(Date.now() - 1000)
    for (let i = 0; i < 50; i++) {
      if ((await get<{ alarms: number }>(name, 'reminded')).alarms > 0) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(await get(name, 'reminded')).toEqual({ alarms: 1 })
  })

  it('deletes every object with the worker', async () => {
    const name = uniqueName('do')
    const { token } = await deploy(name, COUNTER_ENV)
    await get(name, 'inc?name=a')
    const ownerId = (await ownerIdOf(name))!
    const host = env.TENANT_OBJECTS.getByName(
      hostName({ name, ownerId, namespace: 'Counter', className: 'Counter', id: await sha256Hex('a') }),
    )
    expect(await runInDurableObject(host, (_object, state) => state.storage.kv.get('key'))).toBeDefined()
    const removed = await platform(`/api/workers/${name}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(removed.status).toBe(200)
    let kept: unknown = true
    for (let i = 0; i < 50 && kept !== undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      kept = await runInDurableObject(host, (_object, state) => state.storage.kv.get('key'))
    }
    expect(kept).toBeUndefined()
  })

  it('keeps the objects of a class renamed by a migration (renamed_classes)', async () => {
    const name = uniqueName('do')
    const first = await deploy(name, COUNTER_ENV)
    await get(name, 'inc')
    const renamed = COUNTER.replace('export class Counter', 'export class Tally')
    await deploy(
      name,
      {
        durableObjects: [{ binding: 'COUNTER', className: 'Tally' }],
        objectMigrations: [
          ...COUNTER_ENV.objectMigrations!,
          { tag: 'v2', newClasses: [], renamedClasses: [{ from: 'Counter', to: 'Tally' }], deletedClasses: [] },
        ],
      },
      first.token,
      renamed,
    )
    expect(await get(name, 'inc')).toEqual({ count: 2 })
  })

  it('deletes the objects of a class a migration deletes, and refuses a binding to it by name', async () => {
    const name = uniqueName('do')
    const both = `${COUNTER}\nexport class Extra extends Counter {}`
    const first = await deploy(
      name,
      {
        durableObjects: [
          { binding: 'COUNTER', className: 'Counter' },
          { binding: 'EXTRA', className: 'Extra' },
        ],
        objectMigrations: [{ tag: 'v1', newClasses: ['Counter', 'Extra'], renamedClasses: [], deletedClasses: [] }],
      },
      undefined,
      both.replace('env.COUNTER.getByName(name)', 'env[url.searchParams.get("ns") ?? "COUNTER"].getByName(name)'),
    )
    expect(await get(name, 'inc?ns=EXTRA')).toEqual({ count: 1 })
    const ownerId = (await ownerIdOf(name))!
    const extra = env.TENANT_OBJECTS.getByName(
      hostName({ name, ownerId, namespace: 'Extra', className: 'Extra', id: await sha256Hex('foo') }),
    )
    expect(await runInDurableObject(extra, (_object, state) => state.storage.kv.get('key'))).toBeDefined()
    const migrations = [
      { tag: 'v1', newClasses: ['Counter', 'Extra'], renamedClasses: [], deletedClasses: [] },
      { tag: 'v2', newClasses: [], renamedClasses: [], deletedClasses: ['Extra'] },
    ]
    await expect(
      deploy(
        name,
        { durableObjects: [{ binding: 'EXTRA', className: 'Extra' }], objectMigrations: migrations },
        first.token,
      ),
    ).rejects.toThrow(
      'durable_objects.bindings: Durable Object namespace \\"EXTRA\\" (its class \\"Extra\\" is deleted by migration \\"v2\\")',
    )
    await deploy(
      name,
      { durableObjects: [{ binding: 'COUNTER', className: 'Counter' }], objectMigrations: migrations },
      first.token,
    )
    expect(await runInDurableObject(extra, (_object, state) => state.storage.kv.get('key'))).toBeUndefined()
    expect(await get(name, 'inc')).toEqual({ count: 1 })
  })
})
