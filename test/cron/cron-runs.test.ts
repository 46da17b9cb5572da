import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { CronRun } from '../../src/core/model'
import type { ScheduleView } from '../../src/cron/schedules'
import type { NameClaim } from '../../src/names/name-claim.do'
import { platform, platformWith, uniqueName } from '../helpers'

// The name's Durable Object schedules the current deployment's crons with its alarm. These tests
// drive the alarm's work (drain) with an explicit time, so nothing waits for a real minute.

const SCHEDULED = (line: string) => `export default {
  fetch: () => new Response("ok"),
  async scheduled(controller, env) {
    console.log(${JSON.stringify(line)}, controller.cron, env.GREETING, env.API_KEY ? "secret:yes" : "secret:no");
  },
};`
const THROWING = `export default {
  fetch: () => new Response("ok"),
  async scheduled() { throw new Error("scheduled went wrong"); },
};`

interface Described {
  workerId: string
  token?: string
  crons?: string[]
  nextRunAt?: string | null
  hints?: string[]
  deployments: { workerId: string }[]
}

async function put(name: string, body: Record<string, unknown>, token?: string) {
  return platform(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
}

async function deploy(name: string, body: Record<string, unknown>, token?: string): Promise<Described> {
  const res = await put(name, body, token)
  if (res.status !== 201 && res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`)
  return res.json<Described>()
}

const claimOf = (name: string) => env.NAME_CLAIMS.getByName(name)
/** What the name's alarm does at `now`. */
const drainAt = (name: string, now: number) =>
  runInDurableObject(claimOf(name), (instance: NameClaim) => instance.drain(now))
const schedule = async (name: string) => (await platform(`/api/workers/${name}/cron`)).json<ScheduleView>()

/** The worker's logs once they contain `text` (the tail delivers them just after the run). */
async function logsContaining(name: string, token: string, text: string): Promise<string> {
  let body = ''
  for (let attempt = 0; attempt < 50; attempt++) {
    const res = await platform(`/api/workers/${name}/logs`, { headers: { Authorization: `Bearer ${token}` } })
    body = await res.text()
    if (body.includes(text)) return body
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return body
}

describe('cron schedules (dynamic-workers)', () => {
  it('arms the alarm for the next run, and the due run executes the current deployment with its vars and secrets', async () => {
    const name = uniqueName('cron')
    const deployed = await deploy(name, {
      script: SCHEDULED('tick'),
      crons: ['*/5 * * * *'],
      vars: { GREETING: 'hello-var' },
      secrets: { API_KEY: 'k' },
    })
    expect(deployed.crons).toEqual(['*/5 * * * *'])
    const nextRunAt = Date.parse(deployed.nextRunAt!)
    expect(new Date(nextRunAt).getUTCMinutes() % 5).toBe(0)

    const view = await schedule(name)
    expect(view).toEqual({ crons: ['*/5 * * * *'], nextRunAt: deployed.nextRunAt, runs: [] })
    const alarm = await runInDurableObject(claimOf(name), (_instance: NameClaim, state) => state.storage.getAlarm())
    expect(alarm).not.toBeNull()
    expect(alarm!).toBeLessThanOrEqual(nextRunAt)

    // Not due yet: nothing runs.
    await drainAt(name, nextRunAt - 1)
    expect((await schedule(name)).runs).toEqual([])

    await drainAt(name, nextRunAt)
    const after = await schedule(name)
    expect(after.runs).toEqual([
      {
        at: new Date(nextRunAt).toISOString(),
        cron: '*/5 * * * *',
        trigger: 'schedule',
        outcome: 'ok',
        durationMs: expect.any(Number) as number,
      },
    ])
    expect(Date.parse(after.nextRunAt!)).toBe(nextRunAt + 5 * 60_000)
    const logs = await logsContaining(name, deployed.token!, 'tick')
    expect(logs).toContain('tick */5 * * * * hello-var secret:yes')
  })

  it('records a throwing scheduled() as the worker’s exception, never throws, and plans the next run', async () => {
    const name = uniqueName('cron-throw')
    const deployed = await deploy(name, { script: THROWING, crons: ['* * * * *'] })
    const due = Date.parse(deployed.nextRunAt!)
    await expect(drainAt(name, due)).resolves.toBeUndefined()
    const view = await schedule(name)
    expect(view.runs.map((run) => run.outcome)).toEqual(['exception'])
    expect(Date.parse(view.nextRunAt!)).toBe(due + 60_000)
    const alarm = await runInDurableObject(claimOf(name), (_instance: NameClaim, state) => state.storage.getAlarm())
    expect(alarm).not.toBeNull()
    // Details are for the owner's logs, not the public schedule.
    expect(JSON.stringify(view)).not.toContain('went wrong')
    expect(await logsContaining(name, deployed.token!, 'went wrong')).toContain('scheduled went wrong')
  })

  it('runs missed times once, not once per missed minute, and plans from now', async () => {
    const name = uniqueName('cron-missed')
    const deployed = await deploy(name, { script: SCHEDULED('missed'), crons: ['* * * * *'] })
    const due = Date.parse(deployed.nextRunAt!)
    const muchLater = due + 30 * 60_000 + 5_000
    await drainAt(name, muchLater)
    const view = await schedule(name)
    expect(view.runs).toHaveLength(1)
    expect(view.runs[0]!.at).toBe(new Date(due).toISOString())
    expect(Date.parse(view.nextRunAt!)).toBe(due + 31 * 60_000)
  })

  it('keeps the last 10 runs, newest first', async () => {
    const name = uniqueName('cron-ten')
    const deployed = await deploy(name, { script: SCHEDULED('ten'), crons: ['* * * * *'] })
    let due = Date.parse(deployed.nextRunAt!)
    for (let run = 0; run < 12; run++) {
      await drainAt(name, due)
      due += 60_000
    }
    const runs = (await schedule(name)).runs
    expect(runs).toHaveLength(10)
    expect(Date.parse(runs[0]!.at)).toBe(due - 60_000)
  })

  it('keeps the crons on a code-only upload, replaces them when given, and a rollback restores the older ones', async () => {
    const name = uniqueName('cron-rollback')
    const first = await deploy(name, { script: SCHEDULED('v1'), crons: ['0 * * * *'] })
    const token = first.token!
    const kept = await deploy(name, { script: SCHEDULED('v2') }, token)
    expect(kept.crons).toEqual(['0 * * * *'])
    const changed = await deploy(name, { script: SCHEDULED('v3'), crons: ['*/5 * * * *', '0 0 * * *'] }, token)
    expect((await schedule(name)).crons).toEqual(['*/5 * * * *', '0 0 * * *'])
    expect(changed.crons).toEqual(['*/5 * * * *', '0 0 * * *'])

    const res = await platform(`/api/workers/${name}/rollback`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ deployment: first.workerId }),
    })
    expect(res.status).toBe(200)
    const view = await schedule(name)
    expect(view.crons).toEqual(['0 * * * *'])
    expect(new Date(Date.parse(view.nextRunAt!)).getUTCMinutes()).toBe(0)

    // [] clears them.
    const cleared = await deploy(name, { script: SCHEDULED('v4'), crons: [] }, token)
    expect(cleared.crons).toEqual([])
    expect(await schedule(name)).toMatchObject({ crons: [], nextRunAt: null })
  })

  it('a delete forgets the plan and the runs', async () => {
    const name = uniqueName('cron-delete')
    const deployed = await deploy(name, { script: SCHEDULED('bye'), crons: ['* * * * *'] })
    await drainAt(name, Date.parse(deployed.nextRunAt!))
    const res = await platform(`/api/workers/${name}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${deployed.token!}` },
    })
    expect(res.status).toBe(200)
    expect((await platform(`/api/workers/${name}/cron`)).status).toBe(404)
    const left = await runInDurableObject(claimOf(name), async (_instance: NameClaim, state) => ({
      plan: await state.storage.get('cron'),
      tables: state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'cron_runs'")
        .toArray(),
    }))
    expect(left).toEqual({ plan: undefined, tables: [] })
  })

  it('runs now only with the token, records the run and returns it', async () => {
    const name = uniqueName('cron-now')
    const deployed = await deploy(name, { script: SCHEDULED('now'), crons: ['0 0 * * *', '*/10 * * * *'] })
    const url = `/api/workers/${name}/cron/run`
    expect((await platform(url, { method: 'POST' })).status).toBe(403)
    expect((await platform(url, { method: 'POST', headers: { Authorization: 'Bearer dt_wrong' } })).status).toBe(401)
    expect((await schedule(name)).runs).toEqual([])

    const auth = { Authorization: `Bearer ${deployed.token!}` }
    const res = await platform(url, { method: 'POST', headers: auth })
    expect(res.status).toBe(200)
    const run = await res.json<CronRun>()
    expect(run).toMatchObject({ cron: '0 0 * * *', trigger: 'manual', outcome: 'ok' })

    const picked = await platform(url, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ cron: '*/10 * * * *' }),
    })
    expect(await picked.json()).toMatchObject({ cron: '*/10 * * * *', outcome: 'ok' })
    const unknown = await platform(url, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ cron: '* * * * *' }),
    })
    expect(unknown.status).toBe(400)
    expect(await unknown.text()).toContain('has no cron \\"* * * * *\\"')
    expect((await schedule(name)).runs.map((entry) => entry.cron)).toEqual(['*/10 * * * *', '0 0 * * *'])
    expect(await logsContaining(name, deployed.token!, 'now */10')).toContain('now */10 * * * *')
  })

  it('runs now with the admin token too', async () => {
    const admin = 'admin-token-that-is-long-enough-0123456789'
    const name = uniqueName('cron-admin')
    await deploy(name, { script: SCHEDULED('admin'), crons: ['0 0 * * *'] })
    const res = await platformWith({ ADMIN_TOKEN: admin }, `/api/workers/${name}/cron/run`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}` },
    })
    expect(res.status).toBe(200)
  })
})

describe('cron settings at upload', () => {
  it('refuses crons without a scheduled() export, saying what to add', async () => {
    const res = await put(uniqueName('cron-none'), {
      script: 'export default { fetch: () => new Response("x") }',
      crons: ['*/5 * * * *'],
    })
    expect(res.status).toBe(400)
    const body = await res.json<{ error: { code: string; message: string } }>()
    expect(body.error.code).toBe('script_rejected')
    expect(body.error.message).toContain('no scheduled() handler')
    expect(body.error.message).toContain('async scheduled(controller, env, ctx)')
  })

  it('refuses crons for a service-worker script', async () => {
    const res = await put(uniqueName('cron-sw'), {
      script: 'addEventListener("fetch", (e) => e.respondWith(new Response("sw")))',
      crons: ['*/5 * * * *'],
    })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('service-worker syntax')
  })

  it('accepts a WorkerEntrypoint class with scheduled()', async () => {
    const script = `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  fetch() { return new Response("class"); }
  async scheduled(controller) { console.log("class-run", controller.cron, this.env.GREETING); }
}`
    const name = uniqueName('cron-class')
    const deployed = await deploy(name, { script, crons: ['0 0 * * *'], vars: { GREETING: 'from-class' } })
    expect(await (await platform(`/user-workers/${name}/`)).text()).toBe('class')
    const res = await platform(`/api/workers/${name}/cron/run`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${deployed.token!}` },
    })
    expect(await res.json()).toMatchObject({ outcome: 'ok' })
    expect(await logsContaining(name, deployed.token!, 'class-run')).toContain('class-run 0 0 * * * from-class')
  })

  it('hints when scheduled() is exported without crons', async () => {
    const deployed = await deploy(uniqueName('cron-hint'), { script: SCHEDULED('x') })
    expect(deployed.hints).toEqual([expect.stringContaining('exports scheduled() but has no crons')])
  })

  it.each([
    [['61 * * * *'], 'Cron "61 * * * *": "61" in the minute field is not 0–59.'],
    [['* * * *'], 'Cron "* * * *": has 4 fields'],
    [['0 * * * *', '1 * * * *', '2 * * * *', '3 * * * *', '4 * * * *', '5 * * * *'], 'At most 5 cron schedules'],
    ['*/5 * * * *', '"crons" must be a list of cron expressions'],
  ])('refuses crons %j with a clear 400', async (crons, message) => {
    const res = await put(uniqueName('cron-bad'), { script: SCHEDULED('x'), crons })
    expect(res.status).toBe(400)
    const body = await res.json<{ error: { code: string; message: string } }>()
    expect(body.error.code).toBe('invalid_settings')
    expect(body.error.message).toContain(message)
  })

  it('applies MIN_CRON_INTERVAL_MINUTES and MAX_CRONS_PER_WORKER', async () => {
    const send = (crons: string[]) =>
      platformWith(
        { MIN_CRON_INTERVAL_MINUTES: '5', MAX_CRONS_PER_WORKER: '1' },
        `/api/workers/${uniqueName('cron-cfg')}`,
        {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ script: SCHEDULED('x'), crons }),
        },
      )
    const frequent = await send(['*/2 * * * *'])
    expect(frequent.status).toBe(400)
    expect(await frequent.text()).toContain(
      'runs every 2 minutes; this platform allows one run every 5 minutes at most',
    )
    expect((await send(['*/5 * * * *', '0 0 * * *'])).status).toBe(400)
    expect((await send(['*/5 * * * *'])).status).toBe(201)
  })

  it('takes crons from a multipart upload’s settings field', async () => {
    const form = new FormData()
    form.append('file', new File([SCHEDULED('multi')], 'main.js'))
    form.append('settings', JSON.stringify({ crons: ['0  *  * * *'] }))
    const res = await platform(`/api/workers/${uniqueName('cron-multi')}`, { method: 'PUT', body: form })
    expect(res.status).toBe(201)
    expect((await res.json<Described>()).crons).toEqual(['0 * * * *'])
  })
})
