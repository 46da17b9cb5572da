import { describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import type { NameClaim } from '../../src/names/name-claim.do'
import type { ScheduleView } from '../../src/cron/schedules'
import { hostName, type ObjectKey } from '../../src/objects/object-key'
import { TAIL_PROTOCOL } from '../../src/logs/live-tails'
import { declaredWrangler, deployNew, ownerIdOf, platform, platformWith, uniqueName } from '../helpers'

// Suspend and resume (docs/operators.md): the operator stops a worker; every entry point refuses
// until it is resumed, and nothing of its data is lost.

const ADMIN = 'admin-token-for-suspensions-0123456789abcdef'
const admin = (path: string, init: RequestInit = {}) =>
  platformWith({ ADMIN_TOKEN: ADMIN }, `/api/admin${path}`, {
    method: 'POST',
    ...init,
    headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json', ...init.headers },
  })
const suspend = (name: string, reason = 'abuse report #42') =>
  admin(`/workers/${name}/suspend`, { body: JSON.stringify({ reason }) })
const resume = (name: string) => admin(`/workers/${name}/resume`)

/** A request through a new platform (no cached records), as another isolate would serve it. */
const fresh = (path: string) => platformWith({}, path)

const upload = (name: string, script: string, token: string) =>
  platform(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/javascript' },
    body: script,
  })

describe('suspending a worker', () => {
  it('answers 503 with the platform page everywhere it is served, refuses its owner’s changes, and resumes as it was', async () => {
    const worker = await deployNew(uniqueName('susp'), 'export default { fetch: () => new Response("running") }')
    const hostname = `${uniqueName('susp')}.example.test`
    await platform(`/api/workers/${worker.name}/domains`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${worker.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ hostname }),
    })
    const suspended = await suspend(worker.name)
    expect(suspended.status).toBe(200)
    expect(await suspended.json()).toMatchObject({ suspended: { reason: 'abuse report #42', scope: 'worker' } })

    // Through an isolate that has not cached the record yet (this one has: it deployed it; a suspension
    // reaches the others within MAPPING_CACHE_SECONDS, like a deploy).
    const page = await fresh(`/user-workers/${worker.name}/`)
    expect(page.status).toBe(503)
    expect(page.headers.get('retry-after')).toBe('3600')
    const text = await page.text()
    expect(text).toContain('<h1>This worker is suspended</h1>')
    expect(text).toContain(`The worker &quot;${worker.name}&quot; is suspended by the platform&#39;s operator.`)
    const custom = await fresh(`http://${hostname}/`)
    expect(custom.status).toBe(503)

    const deploy = await upload(worker.name, 'export default { fetch: () => new Response("new") }', worker.token)
    expect(deploy.status).toBe(403)
    expect((await deploy.json<{ error: { message: string } }>()).error.message).toContain(
      "cannot be deployed: it is suspended by the platform's operator (abuse report #42)",
    )
    const rollback = await platform(`/api/workers/${worker.name}/rollback`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${worker.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ deployment: worker.workerId }),
    })
    expect(rollback.status).toBe(403)
    // The owner sees why on the worker page.
    const workerPage = await (await platform(`/workers/${worker.name}`)).text()
    expect(workerPage).toContain('<strong>Suspended</strong> by the platform')
    expect(workerPage).toContain('abuse report #42')

    expect((await resume(worker.name)).status).toBe(200)
    expect(await (await fresh(`/user-workers/${worker.name}/`)).text()).toBe('running')
    expect(
      (await upload(worker.name, 'export default { fetch: () => new Response("new") }', worker.token)).status,
    ).toBe(200)
  })

  it('is the operator’s alone: 401 without a token, 403 with the owner’s', async () => {
    const worker = await deployNew(uniqueName('susp'), 'export default { fetch: () => new Response("ok") }')
    const none = await platformWith({ ADMIN_TOKEN: ADMIN }, `/api/admin/workers/${worker.name}/suspend`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'x' }),
    })
    expect(none.status).toBe(401)
    const owner = await platformWith({ ADMIN_TOKEN: ADMIN }, `/api/admin/workers/${worker.name}/suspend`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${worker.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'x' }),
    })
    expect(owner.status).toBe(403)
    const noReason = await admin(`/workers/${worker.name}/suspend`, { body: JSON.stringify({ reason: ' ' }) })
    expect(noReason.status).toBe(400)
    expect((await platform(`/user-workers/${worker.name}/`)).status).toBe(200)
  })

  it('runs no cron while suspended, and plans its schedule again when resumed', async () => {
    const name = uniqueName('susp-cron')
    const res = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        script: 'export default { fetch: () => new Response("ok"), scheduled() {} }',
        crons: ['* * * * *'],
      }),
    })
    expect(res.status).toBe(201)
    await suspend(name)
    await runInDurableObject(env.NAME_CLAIMS.getByName(name), (instance: NameClaim) =>
      instance.drain(Date.now() + 120_000),
    )
    const schedule = async () => (await platform(`/api/workers/${name}/cron`)).json<ScheduleView>()
    expect(await schedule()).toMatchObject({ runs: [], nextRunAt: null })
    await resume(name)
    expect((await schedule()).nextRunAt).not.toBeNull()
  })

  it("holds its Durable Objects' alarms until it is resumed", async () => {
    const name = uniqueName('susp-do')
    const code = `import { DurableObject } from "cloudflare:workers";
export class Reminder extends DurableObject {
  async remind() { await this.ctx.storage.setAlarm(Date.now() + 60_000); }
  reminded() { return this.ctx.storage.kv.get("alarms") ?? 0; }
  alarm() { this.ctx.storage.kv.put("alarms", (this.ctx.storage.kv.get("alarms") ?? 0) + 1); }
}
export default {
  async fetch(request, env) {
    await env.REMINDER.getByName("one").remind();
    return new Response(env.REMINDER.idFromName("one").toString());
  },
};`
    const res = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        files: {
          'src/index.js': code,
          'wrangler.json': declaredWrangler({
            durableObjects: [{ binding: 'REMINDER', className: 'Reminder' }],
            objectMigrations: [{ tag: 'v1', newClasses: ['Reminder'], renamedClasses: [], deletedClasses: [] }],
          }),
        },
      }),
    })
    expect(res.status, await res.clone().text()).toBe(201)
    const { workerId } = await res.json<{ workerId: string }>()
    const id = await (await platform(`/user-workers/${name}/`)).text()
    const key: ObjectKey = { name, ownerId: (await ownerIdOf(name))!, namespace: 'Reminder', className: 'Reminder', id }
    const host = env.TENANT_OBJECTS.getByName(hostName(key))
    const reminded = () => Promise.resolve(host.callObject(key, workerId, 'reminded', []))

    await suspend(name)
    expect(await runDurableObjectAlarm(host)).toBe(true)
    expect(await reminded()).toBe(0)
    const waiting = await runInDurableObject(host, (_instance, state) => state.storage.getAlarm())
    expect(waiting).toBeGreaterThan(Date.now() + 50 * 60_000)

    await resume(name)
    expect(await runDurableObjectAlarm(host)).toBe(true)
    expect(await reminded()).toBe(1)
  })

  it('closes its live tails and opens no new one', async () => {
    const worker = await deployNew(uniqueName('susp-tail'), 'export default { fetch: () => new Response("ok") }')
    const createTail = () =>
      platform(`/client/v4/accounts/any/workers/scripts/${worker.name}/tails`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${worker.token}` },
        body: JSON.stringify({ filters: [] }),
      })
    const created = await (await createTail()).json<{ result: { url: string } }>()
    const socket = (
      await platform(new URL(created.result.url).pathname, {
        headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': TAIL_PROTOCOL },
      })
    ).webSocket!
    socket.accept()
    const closed = new Promise<number>((resolve) => socket.addEventListener('close', (event) => resolve(event.code)))
    await suspend(worker.name)
    expect(await closed).toBe(1000)
    const refused = await createTail()
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain('cannot be tailed')
  })

  it('suspends an account with its workers, refuses its new ones, and resumes only what it stopped', async () => {
    const signedUp = await platform('/api/accounts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Suspended Co' }),
    })
    const { account, token } = await signedUp.json<{ account: { accountId: string }; token: { value: string } }>()
    const apiUpload = (name: string) => upload(name, 'export default { fetch: () => new Response("up") }', token.value)
    const [own, other] = [uniqueName('susp-acct'), uniqueName('susp-acct')]
    expect((await apiUpload(own)).status).toBe(201)
    expect((await apiUpload(other)).status).toBe(201)
    await suspend(own, 'its own reason')

    const suspended = await admin(`/accounts/${account.accountId}/suspend`, {
      body: JSON.stringify({ reason: 'unpaid invoices' }),
    })
    expect(suspended.status).toBe(200)
    expect(await suspended.json()).toEqual({
      accountId: account.accountId,
      suspended: true,
      workers: [own, other].sort(),
    })
    expect((await fresh(`/user-workers/${other}/`)).status).toBe(503)
    const refused = await apiUpload(uniqueName('susp-acct'))
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain('unpaid invoices')
    const seen = await platform('/api/account', { headers: { Authorization: `Bearer ${token.value}` } })
    expect(await seen.json()).toMatchObject({ suspended: { reason: 'unpaid invoices' } })

    expect((await admin(`/accounts/${account.accountId}/resume`)).status).toBe(200)
    expect(await (await fresh(`/user-workers/${other}/`)).text()).toBe('up')
    // Suspended on its own before, it stays so.
    expect((await fresh(`/user-workers/${own}/`)).status).toBe(503)
    expect((await apiUpload(uniqueName('susp-acct'))).status).toBe(201)
  })
})
