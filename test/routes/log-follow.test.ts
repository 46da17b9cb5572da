import { describe, expect, it } from 'vitest'
import { LOG_FOLLOWERS } from '../../src/logs/log-follow'
import { LogFollowers } from '../../src/logs/log-followers'
import { deployNew, platform, uniqueName } from '../helpers'
import { call, waitForLines } from '../logs-helpers'

interface SseEvent {
  event: string
  id?: string
  data: string
}

/** Opens the live log stream of a worker (Last-Event-ID when resuming). */
function follow(name: string, token?: string, lastEventId?: string): Promise<Response> {
  const headers: Record<string, string> = {}
  if (token) headers.Authorization = `Bearer ${token}`
  if (lastEventId) headers['Last-Event-ID'] = lastEventId
  return platform(`/api/workers/${name}/logs?follow=1`, { headers })
}

/** Server-sent events of a response, as they arrive (comments are skipped); stops reading on return. */
async function* events(response: Response): AsyncGenerator<SseEvent, void, undefined> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += value
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event: SseEvent = { event: 'message', data: '' }
        let fields = 0
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue
          const [field, ...rest] = line.split(':')
          const value = rest.join(':').replace(/^ /, '')
          fields += 1
          if (field === 'event') event.event = value
          else if (field === 'id') event.id = value
          else if (field === 'data') event.data += value
        }
        if (fields > 0) yield event
      }
    }
  } finally {
    // The client goes away: the platform stops polling for it.
    await reader.cancel()
  }
}

/** The next event that is a log line, as the JSON it carries, with its SSE id. */
async function nextLine(stream: AsyncGenerator<SseEvent, void, undefined>) {
  for (;;) {
    const { value, done } = await stream.next()
    if (done) throw new Error('the stream ended before another line')
    if (value.event === 'message')
      return { id: value.id, line: JSON.parse(value.data) as { id: number; message: string } }
  }
}

const LOGGING_SCRIPT =
  'export default { fetch(request) { console.log("hit", new URL(request.url).pathname); return new Response("ok") } }'

describe('following logs live (?follow=1)', () => {
  it('is for the owner only: 401 without a token or with a wrong one, 404 for no worker', async () => {
    const name = uniqueName('follow-auth')
    const { token } = await deployNew(name, LOGGING_SCRIPT)
    const anonymous = await follow(name)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect((await follow(name, 'dt_wrong')).status).toBe(401)
    expect((await follow(uniqueName('nobody'), token)).status).toBe(404)
    expect((await follow(name, token, 'not-a-number')).status).toBe(400)
  })

  it('streams the kept lines, then a line made after connecting, each once, and resumes after Last-Event-ID', async () => {
    const name = uniqueName('follow')
    const { token, workerId } = await deployNew(name, LOGGING_SCRIPT)
    await call(name, '/before')
    await waitForLines(name, token, 1)

    const response = await follow(name, token)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toMatch(/^text\/event-stream/)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    const stream = events(response)
    const capture = await stream.next()
    expect(capture.value?.event).toBe('capture')
    const { capturingUntil } = JSON.parse(capture.value!.data) as { capturingUntil: string }
    expect(Date.parse(capturingUntil)).toBeGreaterThan(Date.now())

    const before = await nextLine(stream)
    expect(before.line.message).toBe('hit /before')
    expect(before.line).toMatchObject({ deployment: workerId, level: 'log' })
    expect(before.id).toBe(String(before.line.id))

    await call(name, '/after')
    const after = await nextLine(stream)
    expect(after.line.message).toBe('hit /after')
    expect(after.line.id).toBeGreaterThan(before.line.id)
    await stream.return(undefined)

    // A reconnect from the first line gets the second next, not the first again.
    const resumed = events(await follow(name, token, before.id))
    expect((await resumed.next()).value?.event).toBe('capture')
    expect((await nextLine(resumed)).line.message).toBe('hit /after')
    await call(name, '/later')
    expect((await nextLine(resumed)).line.message).toBe('hit /later')
    await resumed.return(undefined)
  })

  it('without follow, the answer stays the JSON of recent lines', async () => {
    const name = uniqueName('no-follow')
    const { token } = await deployNew(name, LOGGING_SCRIPT)
    const response = await platform(`/api/workers/${name}/logs?follow=0`, {
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect(await response.json()).toMatchObject({ lines: [] })
  })
})

describe('live followers are capped, per worker and per client', () => {
  const followFrom = (name: string, token: string, client: string) =>
    platform(`/api/workers/${name}/logs?follow=1`, {
      headers: { Authorization: `Bearer ${token}`, 'CF-Connecting-IP': client },
    })

  it(`admits ${LOG_FOLLOWERS.perClient} follows from one client and ${LOG_FOLLOWERS.perWorker} in all, then answers 429 naming the cap`, async () => {
    const name = uniqueName('followers')
    const { token } = await deployNew(name, 'export default { fetch() { return new Response("") } }')
    const open: Response[] = []
    for (let i = 0; i < LOG_FOLLOWERS.perClient; i++) open.push(await followFrom(name, token, '192.0.2.1'))
    const sameClient = await followFrom(name, token, '192.0.2.1')
    expect(sameClient.status).toBe(429)
    expect(sameClient.headers.get('retry-after')).toBe(String(LOG_FOLLOWERS.staleMs / 1000))
    expect((await sameClient.json<{ error: { message: string } }>()).error.message).toContain(
      `At most ${LOG_FOLLOWERS.perClient} live follows of one worker's logs per client`,
    )
    for (let i = open.length; i < LOG_FOLLOWERS.perWorker; i++)
      open.push(await followFrom(name, token, `192.0.2.${10 + i}`))
    expect(open.map((response) => response.status)).toEqual(Array(LOG_FOLLOWERS.perWorker).fill(200))
    const anyClient = await followFrom(name, token, '198.51.100.7')
    expect(anyClient.status).toBe(429)
    expect((await anyClient.json<{ error: { message: string } }>()).error.message).toContain(
      `At most ${LOG_FOLLOWERS.perWorker} clients may follow a worker's logs live at once`,
    )
    // The recent lines stay readable without following.
    expect(
      (await platform(`/api/workers/${name}/logs`, { headers: { Authorization: `Bearer ${token}` } })).status,
    ).toBe(200)
    for (const response of open) await response.body?.cancel()
  })

  it('an unauthenticated client takes no follower slot', async () => {
    const name = uniqueName('followers-anon')
    const { token } = await deployNew(name, 'export default { fetch() { return new Response("") } }')
    for (let i = 0; i < LOG_FOLLOWERS.perWorker + 2; i++) {
      expect((await followFrom(name, 'wrong', `203.0.113.${i}`)).status).toBe(401)
    }
    const owner = await followFrom(name, token, '203.0.113.200')
    expect(owner.status).toBe(200)
    await owner.body?.cancel()
  })
})

describe('LogFollowers (the count in the name’s object)', () => {
  it('forgets a follower that stopped polling, and does not bring it back', () => {
    const followers = new LogFollowers()
    const t0 = 1_000_000
    for (let i = 0; i < LOG_FOLLOWERS.perWorker; i++) expect(followers.admit(`f${i}`, `c${i}`, t0)).toBeNull()
    expect(followers.admit('late', 'c-late', t0)).toBe('worker')
    // f0 keeps polling; the others went quiet.
    expect(followers.seen('f0', t0 + LOG_FOLLOWERS.staleMs)).toBe(true)
    expect(followers.admit('late', 'c-late', t0 + LOG_FOLLOWERS.staleMs + 1)).toBeNull()
    expect(followers.seen('f1', t0 + LOG_FOLLOWERS.staleMs + 2)).toBe(false)
  })
})
