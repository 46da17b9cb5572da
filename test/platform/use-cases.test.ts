import { describe, expect, it } from 'vitest'
import { PlatformError } from '../../src/core/errors'
import type { WorkerBundle } from '../../src/core/model'
import { LOG_WATCH_MS } from '../../src/logs/logs'
import { helloScript, uniqueName } from '../helpers'
import { background, platformWith } from './parts'

// The use cases on their own: real name objects and KV, a backend that only records its calls, and
// failures injected where a runtime cannot be made to fail on cue.

const bundle = (source: string): WorkerBundle => ({
  mainModule: 'index.js',
  modules: [{ name: 'index.js', type: 'esm', content: source }],
})
const HELLO = bundle(helloScript('hi'))

async function refusalOf(work: Promise<unknown>): Promise<PlatformError> {
  const error = await work.then(
    () => null,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(PlatformError)
  return error as PlatformError
}

describe('Deployer and the name-change protocol', () => {
  it('keeps a committed deploy when KV cannot be written, and the next change still gets the lease', async () => {
    const { platform, registry, calls } = platformWith()
    const name = uniqueName('uc')
    registry.failPuts = true
    const first = await platform.deploys.release(name, { bundle: HELLO }, {}, background())
    expect(first.created).toBe(true)
    expect((await platform.workers.get(name)).workerId).toBe(first.record.workerId)

    registry.failPuts = false
    const second = await platform.deploys.release(name, { bundle: HELLO }, { token: first.token }, background())
    expect(second.created).toBe(false)
    expect(calls.deployed).toEqual([first.record.workerId, second.record.workerId])
  })

  it('leaves a free name free, and its lease given back, when the backend refuses the upload', async () => {
    const { platform, calls } = platformWith()
    const name = uniqueName('uc')
    calls.refuse = new PlatformError('script_rejected', 'refused by the backend')
    expect((await refusalOf(platform.deploys.release(name, { bundle: HELLO }, {}, background()))).code).toBe(
      'script_rejected',
    )
    expect(await platform.workers.find(name)).toBeNull()

    calls.refuse = undefined
    expect((await platform.deploys.release(name, { bundle: HELLO }, {}, background())).created).toBe(true)
  })

  it('refuses a change without the token, and a promote to a deployment the name never had', async () => {
    const { platform } = platformWith()
    const name = uniqueName('uc')
    const first = await platform.deploys.release(name, { bundle: HELLO }, {}, background())
    expect((await refusalOf(platform.deploys.release(name, { bundle: HELLO }, {}, background()))).code).toBe(
      'forbidden',
    )
    const missing = await refusalOf(platform.deploys.promote(name, 'w-none', first.token, background()))
    expect(missing.code).toBe('deployment_not_found')
    expect((await platform.workers.get(name)).workerId).toBe(first.record.workerId)
  })

  it('deletes every deployment of a removed worker and frees its name', async () => {
    const { platform, calls } = platformWith()
    const name = uniqueName('uc')
    const first = await platform.deploys.release(name, { bundle: HELLO }, {}, background())
    await platform.deploys.release(name, { bundle: HELLO }, { token: first.token }, background())
    await platform.workers.remove(name, first.token, background())
    expect(calls.removed.sort()).toEqual([...calls.deployed].sort())
    expect(await platform.workers.find(name)).toBeNull()
  })
})

describe('Dispatcher.open', () => {
  it('refuses a request that has passed through the platform too often, before any lookup', async () => {
    const { platform, calls } = platformWith()
    const hops = platform.config.maxHops + 1
    expect((await refusalOf(platform.dispatch.open('anything', { host: 'p.test', hops }))).code).toBe('loop_detected')
    expect(calls.opened).toEqual([])
  })

  it("turns the user's exception into worker_failed without passing its message on", async () => {
    const { platform, calls } = platformWith()
    const name = uniqueName('uc')
    await platform.deploys.release(name, { bundle: HELLO }, {}, background())
    calls.fetch = () => Promise.reject(new Error('secret detail'))
    const worker = await platform.dispatch.open(name, { host: 'p.test', hops: 0 })
    const error = await refusalOf(worker.fetch(new Request('http://p.test/')))
    expect(error.code).toBe('worker_failed')
    expect(error.message).not.toContain('secret detail')
  })

  it('wires the log tail only while someone watches the logs (a deploy or a read opens the window)', async () => {
    const { platform, calls } = platformWith()
    const name = uniqueName('uc')
    await platform.deploys.release(name, { bundle: HELLO }, {}, background())
    await platform.dispatch.open(name, { host: 'p.test', hops: 0 })
    expect(calls.opened.at(-1)?.options.tail).toBeTypeOf('function')

    const later = platformWith({ now: () => Date.now() + LOG_WATCH_MS + 60_000 })
    await later.platform.dispatch.open(name, { host: 'p.test', hops: 0 })
    expect(later.calls.opened.at(-1)?.options.tail).toBeUndefined()
  })
})

describe('Scheduler', () => {
  const YEARLY = '0 0 1 1 *'

  it('"Run now" refuses a worker without crons, and a cron it does not have, naming its crons', async () => {
    const { platform } = platformWith()
    const plain = uniqueName('uc')
    const { token } = await platform.deploys.release(plain, { bundle: HELLO }, {}, background())
    expect((await refusalOf(platform.cron.runNow(plain, undefined, token))).message).toContain('no cron schedules')

    const timed = uniqueName('uc')
    const options = { settings: { crons: [YEARLY] } }
    const owner = await platform.deploys.release(timed, { bundle: HELLO }, options, background())
    const wrong = await refusalOf(platform.cron.runNow(timed, '5 4 * * *', owner.token))
    expect(wrong.message).toContain(`its crons: ${YEARLY}`)
  })

  it('"Run now" runs the first cron by default, records the run, and reports an exception as its outcome', async () => {
    const { platform, calls } = platformWith()
    const name = uniqueName('uc')
    const options = { settings: { crons: [YEARLY] } }
    const { token } = await platform.deploys.release(name, { bundle: HELLO }, options, background())
    const ran: string[] = []
    calls.scheduled = (cron) => {
      ran.push(cron)
      return Promise.resolve()
    }
    expect((await platform.cron.runNow(name, undefined, token)).outcome).toBe('ok')
    expect(ran).toEqual([YEARLY])

    calls.scheduled = () => Promise.reject(new Error('boom'))
    expect((await platform.cron.runNow(name, YEARLY, token)).outcome).toBe('exception')
    const view = await platform.cron.view(name)
    expect(view.runs.map((run) => run.outcome)).toEqual(['exception', 'ok'])
  })
})

describe('Workers and MetricsReader', () => {
  it('calls a list cursor KV refuses the caller’s error, and a failed first page the platform’s', async () => {
    const { platform, registry } = platformWith()
    registry.failLists = true
    const stale = await refusalOf(platform.workers.list('a-cursor-KV-no-longer-knows'))
    expect([stale.code, stale.message]).toEqual([
      'invalid_request',
      'That page link is no longer valid. Start again from the first page.',
    ])
    await expect(platform.workers.list(undefined)).rejects.toThrow('KV list failed')
  })

  it('reads no metrics when they are off', async () => {
    const { platform } = platformWith()
    const name = uniqueName('uc')
    const { record } = await platform.deploys.release(name, { bundle: HELLO }, {}, background())
    expect(await platform.metrics.read(record)).toBeNull()
  })
})
