import { describe, expect, it } from 'vitest'
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
  it('is for the owner only: 401 without a token, 403 with a wrong one, 404 for no worker', async () => {
    const name = uniqueName('follow-auth')
    const { token } = await deployNew(name, LOGGING_SCRIPT)
    const anonymous = await follow(name)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect((await follow(name, 'dt_wrong')).status).toBe(403)
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
