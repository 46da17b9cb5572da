import { beforeEach, describe, expect, it } from 'vitest'
import type { CronRun } from '../../src/core/model'
import { SCHEDULED_HEADER, SCHEDULED_MODULE } from '../../src/cron/scheduled-module'
import { textareaContent, uniqueName, uploadFormWithCode } from '../helpers'
import { callWatchingForTheToken, recorded, resetDouble } from './namespace-double'

// Cloudflare runs no cron triggers for scripts in a dispatch namespace, and neither
// dispatcher.get().scheduled() (an experimental flag) nor RPC reaches them: the platform uploads a
// worker with crons behind its own wrapper module and runs scheduled() with a request only it sends.
// The dispatcher stand-in (namespace-double.ts) runs what the API double received.

const { call } = callWatchingForTheToken(5)

const SCRIPT = `export default {
  fetch: () => new Response("from fetch"),
  async scheduled(controller) {
    if (controller.cron === "0 0 1 1 *") throw new Error("namespace cron failed");
    console.log("namespace cron", controller.cron);
  },
};`

async function deploy(name: string, crons = ['*/15 * * * *']) {
  const res = await call(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ script: SCRIPT, crons }),
  })
  expect(res.status).toBe(201)
  return res.json<{ token: string; workerId: string }>()
}

const runNow = (name: string, token: string) =>
  call(`/api/workers/${name}/cron/run`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } })

beforeEach(async () => {
  await resetDouble()
})

describe('cron on the dispatch-namespace backend', () => {
  it('uploads a worker with crons behind the platform’s scheduled wrapper, and runs it now', async () => {
    const name = uniqueName('ns-cron')
    const { token } = await deploy(name)
    const [upload] = await recorded()
    const metadata = JSON.parse(upload!.parts.find((part) => part.field === 'metadata')!.content) as {
      main_module: string
    }
    expect(metadata.main_module).toBe(SCHEDULED_MODULE)
    expect(upload!.parts.map((part) => part.field).sort()).toEqual(
      ['metadata', 'platform.js', SCHEDULED_MODULE, 'worker.js'].sort(),
    )

    const res = await runNow(name, token)
    expect(res.status).toBe(200)
    expect(await res.json<CronRun>()).toMatchObject({ cron: '*/15 * * * *', trigger: 'manual', outcome: 'ok' })
    const view = await (await call(`/api/workers/${name}/cron`)).json<{ runs: CronRun[] }>()
    expect(view.runs).toHaveLength(1)

    // Requests still reach the worker's own fetch().
    expect(await (await call(`/user-workers/${name}/`)).text()).toBe('from fetch')
  })

  it('a client cannot make the worker run scheduled(): the platform’s header is dropped at dispatch', async () => {
    const name = uniqueName('ns-cron-forge')
    await deploy(name)
    const res = await call(`/user-workers/${name}/`, {
      method: 'POST',
      headers: { [SCHEDULED_HEADER]: '1', 'content-type': 'application/json' },
      body: JSON.stringify({ cron: '* * * * *', scheduledTime: 0 }),
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('from fetch')
  })

  it('records a throwing scheduled() as the worker’s exception', async () => {
    const name = uniqueName('ns-cron-throw')
    const { token } = await deploy(name, ['0 0 1 1 *'])
    const res = await runNow(name, token)
    expect(res.status).toBe(200)
    expect(await res.json<CronRun>()).toMatchObject({ outcome: 'exception' })
  })

  it('"Upload a new version" shows the worker’s own code, not the wrapper', async () => {
    const name = uniqueName('ns-cron-code')
    const { token } = await deploy(name)
    const html = await (await uploadFormWithCode(name, token, call)).text()
    expect(textareaContent(html)).toBe(SCRIPT)
    expect(html).not.toContain(SCHEDULED_MODULE)
    expect(html).toContain('*/15 * * * *')
  })
})
