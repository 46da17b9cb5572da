import { describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { declaredWrangler, ownerIdOf, uniqueName } from '../helpers'
import { callWatchingForTheToken, namespaceEnv, recorded } from '../backends/namespace-double'
import { platformFor } from '../../src/platform/index'
import { hostName, type ObjectKey } from '../../src/objects/object-key'

// dispatch-namespace: a Durable Object namespace belongs to its script, and each deployment is a
// new script there, so the objects would be lost at every deploy. Instead a script's Durable Object
// binding is a service binding to the platform's TenantObjects entrypoint, and the host runs the
// class through the Worker Loader from the script's code as the namespace holds it
// (docs/bring-your-project.md). The dispatcher stand-in runs scripts in this Worker, whose own env is
// dynamic-workers', so the pieces are checked here: the upload's binding, and the class the
// namespace backend loads, run as a facet of a host.

const namespace = callWatchingForTheToken(1)

const COUNTER = `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  increment() {
    const count = (this.ctx.storage.kv.get("count") ?? 0) + 1;
    this.ctx.storage.kv.put("count", count);
    return { count, version: this.env.VERSION, secret: this.env.TOKEN };
  }
}
export default { fetch: () => new Response("ok") };`

// An object that sets its own alarm and counts how often it fired.
const REMINDER = `import { DurableObject } from "cloudflare:workers";
export class Reminder extends DurableObject {
  async remind() {
    await this.ctx.storage.setAlarm(Date.now() + 60_000);
    return this.ctx.storage.getAlarm();
  }
  reminded() {
    return this.ctx.storage.kv.get("alarms") ?? 0;
  }
  async alarm() {
    this.ctx.storage.kv.put("alarms", (this.ctx.storage.kv.get("alarms") ?? 0) + 1);
  }
}
export default { fetch: () => new Response("ok") };`

async function deploy(name: string, version: string, token?: string) {
  const res = await namespace.call(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({
      files: {
        'src/index.js': COUNTER,
        'wrangler.json': declaredWrangler({ durableObjects: [{ binding: 'COUNTER', className: 'Counter' }] }),
      },
      vars: { VERSION: version },
      secrets: { TOKEN: `secret-${version}` },
    }),
  })
  expect(res.status, await res.clone().text()).toBeLessThan(300)
  return res.json<{ token?: string; workerId: string }>()
}

describe('Durable Objects on dispatch-namespace', () => {
  it("binds the script's namespace to the platform's TenantObjects, with whose objects they are", async () => {
    const name = uniqueName('do-ns')
    const { workerId } = await deploy(name, '1')
    const upload = (await recorded()).findLast((request) => request.method === 'PUT' && request.path.includes(workerId))
    const metadata = JSON.parse(upload!.parts.find((part) => part.field === 'metadata')!.content) as {
      bindings: { name: string }[]
    }
    expect(metadata.bindings.find((binding) => binding.name === 'COUNTER')).toEqual({
      type: 'service',
      name: 'COUNTER',
      service: 'workers-for-platforms',
      entrypoint: 'TenantObjects',
      props: { name, ownerId: await ownerIdOf(name), namespace: 'Counter', className: 'Counter', deployment: workerId },
    })
  })

  it('loads the class from the script the namespace holds, with its vars and secrets, and keeps its data across a deploy and a rollback', async () => {
    const name = uniqueName('do-ns')
    const { token, workerId: firstWorkerId } = await deploy(name, '1')
    const owner = { name, ownerId: (await ownerIdOf(name))! }
    const host = env.TENANT_OBJECTS.getByName(`test-host-${name}`)
    // As the host does: the class is loaded in the host's context (I/O objects stay with their object).
    const increment = () =>
      runInDurableObject(host, async (_object, state) => {
        const { objectClass } = await platformFor(namespaceEnv).dispatch.objectClass(owner, 'Counter', 'Counter')
        state.facets.abort('object', 'reload')
        const facet = state.facets.get('object', () => ({ class: objectClass })) as unknown as {
          increment(): Promise<unknown>
        }
        return facet.increment()
      })
    expect(await increment()).toEqual({ count: 1, version: '1', secret: 'secret-1' })
    await deploy(name, '2', token)
    expect(await increment()).toEqual({ count: 2, version: '2', secret: 'secret-2' })
    // A rollback: the class comes from the first deployment's script again, over the same storage.
    const rolledBack = await namespace.call(`/api/workers/${name}/rollback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ deployment: firstWorkerId }),
    })
    expect(rolledBack.status).toBe(200)
    expect(await increment()).toEqual({ count: 3, version: '1', secret: 'secret-1' })
  })

  it("fires an alarm the tenant's object sets, through its host, with the class the namespace holds", async () => {
    const name = uniqueName('do-ns-alarm')
    const res = await namespace.call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        files: {
          'src/index.js': REMINDER,
          'wrangler.json': declaredWrangler({ durableObjects: [{ binding: 'REMINDER', className: 'Reminder' }] }),
        },
      }),
    })
    expect(res.status, await res.clone().text()).toBe(201)
    const { workerId } = await res.json<{ workerId: string }>()
    const key: ObjectKey = {
      name,
      ownerId: (await ownerIdOf(name))!,
      namespace: 'Reminder',
      className: 'Reminder',
      id: 'a1'.repeat(32),
    }
    const host = env.TENANT_OBJECTS.getByName(hostName(key))
    // The real host, given the env of a platform on dispatch-namespace (the runtime made it with this
    // Worker's own, which is dynamic-workers'): from then on it asks that platform for the class.
    await runInDurableObject(host, (instance) => void Object.assign(instance, { env: namespaceEnv }))
    // As the binding's entrypoint calls it (RPC types an unknown result as no promise at all).
    const call = (method: string): Promise<unknown> => Promise.resolve(host.callObject(key, workerId, method, []))
    const due = await call('remind')
    expect(due).toBeGreaterThan(Date.now())
    expect(await host.getObjectAlarm(key)).toBe(due)
    expect(await call('reminded')).toBe(0)
    expect(await runDurableObjectAlarm(host)).toBe(true)
    expect(await call('reminded')).toBe(1)
    expect(await host.getObjectAlarm(key)).toBeNull()
  })
})
