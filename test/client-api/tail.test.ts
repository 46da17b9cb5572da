import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { TAILS_PER_WORKER, TAIL_PROTOCOL } from '../../src/logs/live-tails'
import { REDACTED } from '../../src/logs/invocations'
import { deployNew, platform, uniqueName } from '../helpers'
import { call } from '../logs-helpers'

// `wrangler tail` against the platform (routes/client-api.ts, logs/live-tails.ts): a tail created
// with the owner's token, its socket reached by its address alone, each invocation a
// TailEventMessage. test/e2e/wrangler.e2e.mjs runs the real wrangler tail.

const SCRIPT = (name: string) => `/client/v4/accounts/any/workers/scripts/${name}`

const LOGGING = `export default {
  async fetch(request) {
    if (new URL(request.url).pathname.endsWith("/quiet")) return new Response("shh");
    console.log("hello from", new URL(request.url).pathname, { n: 1 });
    if (new URL(request.url).pathname.endsWith("/boom")) throw new Error("it broke");
    return new Response("ok");
  },
};`

interface Created {
  success: boolean
  result: { id: string; url: string; expires_at: string }
  errors: { code: number; message: string }[]
}

interface Message {
  outcome: string
  scriptName: string
  scriptVersion?: { id: string }
  eventTimestamp: number
  event: { request: { url: string; method: string; headers: Record<string, string> }; response?: { status: number } }
  logs: { message: unknown[]; level: string; timestamp: number }[]
  exceptions: { name: string; message: string }[]
}

function createTail(name: string, token: string | undefined, filters: unknown[] = [], from = '203.0.113.7') {
  return platform(`${SCRIPT(name)}/tails`, {
    method: 'POST',
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'cf-connecting-ip': from },
    body: JSON.stringify({ filters }),
  })
}

/** Connects to a tail's socket as wrangler does (no Authorization header), collecting its messages. */
async function connect(url: string) {
  const response = await platform(new URL(url).pathname, {
    headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': TAIL_PROTOCOL },
  })
  const socket = response.webSocket
  if (!socket)
    return {
      response,
      messages: [],
      closed: Promise.resolve({ code: 0 }),
      next: () => Promise.reject(new Error('no socket')),
    }
  socket.accept()
  const messages: Message[] = []
  const waiting: ((message: Message) => void)[] = []
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as Message
    const waiter = waiting.shift()
    if (waiter) waiter(message)
    else messages.push(message)
  })
  const closed = new Promise<{ code: number }>((resolve) =>
    socket.addEventListener('close', (event) => resolve({ code: event.code })),
  )
  socket.send(JSON.stringify({ debug: false }))
  const next = () =>
    new Promise<Message>((resolve, reject) => {
      const queued = messages.shift()
      if (queued) return resolve(queued)
      const timer = setTimeout(() => reject(new Error('no tail message within 5 s')), 5_000)
      waiting.push((message) => {
        clearTimeout(timer)
        resolve(message)
      })
    })
  return { response, socket, messages, closed, next }
}

describe('wrangler tail: live tails through /client/v4', () => {
  it('sends each invocation to the owner’s tail, as a TailEventMessage, with credentials redacted', async () => {
    const name = uniqueName('tail')
    const { token, workerId } = await deployNew(name, LOGGING)
    const created = await createTail(name, token)
    expect(created.status).toBe(200)
    const { result } = await created.json<Created>()
    expect(result.url).toMatch(new RegExp(`^ws://platform\\.test/client/v4/tails/${name}/${result.id}/[\\w-]{40,}$`))
    expect(Date.parse(result.expires_at)).toBeGreaterThan(Date.now() + 50 * 60_000)

    const tail = await connect(result.url)
    expect(tail.response.status).toBe(101)
    expect(tail.response.headers.get('Sec-WebSocket-Protocol')).toBe(TAIL_PROTOCOL)

    await call(name, '/hi', {
      headers: { Authorization: 'Bearer tenant-secret', Cookie: 'session=abc', 'X-Trace': '1' },
    })
    const message = await tail.next()
    expect(message).toMatchObject({
      outcome: 'ok',
      scriptName: name,
      scriptVersion: { id: workerId },
      event: { request: { method: 'GET', url: expect.stringContaining('/hi') as unknown }, response: { status: 200 } },
      logs: [{ level: 'log', message: ['hello from', expect.stringContaining('/hi') as unknown, { n: 1 }] }],
      exceptions: [],
    })
    expect(message.event.request.headers.authorization).toBe(REDACTED)
    expect(message.event.request.headers.cookie).toBe(REDACTED)
    expect(message.event.request.headers['x-trace']).toBe('1')
    expect(JSON.stringify(message)).not.toContain('tenant-secret')

    await call(name, '/boom')
    expect(await tail.next()).toMatchObject({
      outcome: 'exception',
      exceptions: [{ name: 'Error', message: 'it broke' }],
    })
    // A request that logs nothing reaches a live tail too (without one it would not reach the name's object).
    await call(name, '/quiet')
    expect(await tail.next()).toMatchObject({ outcome: 'ok', logs: [], event: { response: { status: 200 } } })
    tail.socket?.close(1000)
  })

  it('applies the filters on the server: status, method, search, header and client_ip "self"', async () => {
    const name = uniqueName('tail')
    const { token } = await deployNew(name, LOGGING)
    const open = async (filters: unknown[]) =>
      connect((await (await createTail(name, token, filters, '198.51.100.1')).json<Created>()).result.url)
    const errors = await open([{ outcome: ['exception', 'exceededCpu', 'exceededMemory', 'unknown'] }])
    const posts = await open([{ method: ['POST'] }])
    const searched = await open([{ query: '/needle' }])
    const headed = await open([{ header: { key: 'X-Trace', query: '7' } }])
    const mine = await open([{ client_ip: ['self'] }])

    await call(name, '/plain', { headers: { 'cf-connecting-ip': '192.0.2.9' } })
    await call(name, '/needle', { headers: { 'X-Trace': '7', 'cf-connecting-ip': '198.51.100.1' } })
    await call(name, '/boom', { method: 'POST' })

    expect((await errors.next()).event.request.url).toContain('/boom')
    expect((await posts.next()).event.request.url).toContain('/boom')
    expect((await searched.next()).event.request.url).toContain('/needle')
    expect((await headed.next()).event.request.url).toContain('/needle')
    expect((await mine.next()).event.request.url).toContain('/needle')
    // Nothing else came through: each tail saw exactly the one invocation it asked for.
    await call(name, '/last', { headers: { 'X-Trace': '7', 'cf-connecting-ip': '198.51.100.1' } })
    expect((await headed.next()).event.request.url).toContain('/last')
    expect(errors.messages.length + posts.messages.length + searched.messages.length).toBe(0)
  })

  it('refuses a tail to anyone but the owner, and a socket without the tail’s own address', async () => {
    const name = uniqueName('tail')
    const { token } = await deployNew(name, LOGGING)
    const anonymous = await createTail(name, undefined)
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject({ success: false, errors: [{ code: 10001 }] })
    const other = await deployNew(uniqueName('tail'), LOGGING)
    expect((await createTail(name, other.token)).status).toBe(401)
    expect((await createTail(uniqueName('none'), token)).status).toBe(404)
    const invalid = await createTail(name, token, [{ sampling_rate: 3 }])
    expect(invalid.status).toBe(400)
    expect(await invalid.json()).toMatchObject({ errors: [{ code: 10021 }] })

    const { result } = await (await createTail(name, token)).json<Created>()
    const forged = await connect(result.url.replace(/[\w-]{4}$/, 'AAAA'))
    expect(forged.response.status).toBe(404)
    expect(await forged.response.json()).toMatchObject({ success: false })
    const plain = await platform(new URL(result.url).pathname)
    expect(plain.status).toBe(400)
  })

  it('ends a tail with 1000 when it is deleted or expires, and caps how many are open', async () => {
    const name = uniqueName('tail')
    const { token } = await deployNew(name, LOGGING)
    const first = (await (await createTail(name, token)).json<Created>()).result
    const deleted = await connect(first.url)
    const gone = await platform(`${SCRIPT(name)}/tails/${first.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(gone.status).toBe(200)
    expect((await deleted.closed).code).toBe(1000)
    // Its address no longer connects.
    expect((await connect(first.url)).response.status).toBe(404)

    const later = (await (await createTail(name, token)).json<Created>()).result
    const expiring = await connect(later.url)
    const claim = env.NAME_CLAIMS.getByName(name)
    await claim.drain(Date.parse(later.expires_at) + 1)
    expect((await expiring.closed).code).toBe(1000)

    const opened = []
    for (let index = 0; index < TAILS_PER_WORKER; index++) opened.push(await createTail(name, token))
    expect(opened.every((response) => response.status === 200)).toBe(true)
    const over = await createTail(name, token)
    expect(over.status).toBe(429)
    expect(await over.json()).toMatchObject({
      errors: [{ message: expect.stringContaining(`${TAILS_PER_WORKER}`) as unknown }],
    })
  })

  it('closes its tails when the worker is deleted', async () => {
    const name = uniqueName('tail')
    const { token } = await deployNew(name, LOGGING)
    const tail = await connect((await (await createTail(name, token)).json<Created>()).result.url)
    await platform(`/api/workers/${name}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } })
    expect((await tail.closed).code).toBe(1000)
  })
})
