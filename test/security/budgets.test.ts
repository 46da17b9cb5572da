import { describe, expect, it } from 'vitest'
import { MAX_ACTION_BODY_BYTES } from '../../src/middleware/platform'
import { DEFAULTS } from '../../src/core/config'
import { deployNew, helloScript, platformWith, uniqueName } from '../helpers'

// Work a request can cause is bounded by what it may send, not by what it does send: each case
// streams a body far over its budget and counts how much of it the platform read.

/** A body of `total` bytes made lazily, 64 KiB at a time, that records how much was read. */
function countedBody(total: number, head: string, filler: (index: number) => string, tail = '') {
  const encoder = new TextEncoder()
  let produced = 0
  let index = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (produced === 0) {
        produced += head.length
        controller.enqueue(encoder.encode(head))
        return
      }
      if (produced >= total) {
        controller.enqueue(encoder.encode(tail))
        controller.close()
        return
      }
      let chunk = ''
      while (chunk.length < 64 * 1024) chunk += filler(index++)
      produced += chunk.length
      controller.enqueue(encoder.encode(chunk))
    },
  })
  return { stream, read: () => produced }
}

const errorOf = async (res: Response) => (await res.json<{ error: { code: string; message: string } }>()).error

describe('request bodies are capped per route before they are parsed', () => {
  it('a JSON project of millions of empty entries is refused after the first few thousand', async () => {
    // As reported: 23 MB of `"fN":""` stalled the platform 11.5 s before the file cap answered.
    const body = countedBody(23 * 1024 * 1024, '{"files":{', (index) => `"f${index}":"",`, '"end":""}}')
    const res = await platformWith({}, `/api/workers/${uniqueName('entries')}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: body.stream,
    })
    expect(res.status).toBe(413)
    expect((await errorOf(res)).message).toContain(`at most ${DEFAULTS.buildLimits.maxFiles} files (MAX_PROJECT_FILES)`)
    // Enough bytes for the budget of values and one chunk more, not the 23 MB.
    expect(body.read()).toBeLessThan(256 * 1024)
  })

  it.each([
    ['the upload form', '/upload'],
    ['the API', '/api/workers/NAME'],
  ])(
    'a multipart upload of a million tiny parts to %s is refused after the first few hundred',
    async (_label, path) => {
      const boundary = 'XyZ'
      const part = (index: number) => `--${boundary}\r\nContent-Disposition: form-data; name="f${index}"\r\n\r\nx\r\n`
      const body = countedBody(40 * 1024 * 1024, part(0), (index) => part(index + 1), `--${boundary}--\r\n`)
      const res = await platformWith({}, path.replace('NAME', uniqueName('parts')), {
        method: path === '/upload' ? 'POST' : 'PUT',
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
        body: body.stream,
      })
      expect(res.status).toBe(413)
      expect(await res.text()).toContain(`at most ${DEFAULTS.buildLimits.maxFiles} files (MAX_PROJECT_FILES)`)
      expect(body.read()).toBeLessThan(256 * 1024)
    },
  )

  // DELETE takes its token from a header and never reads a body: refused unread.
  it.each([
    ['POST', '/api/workers/NAME/promote', 'application/json', 413],
    ['POST', '/api/workers/NAME/rollback', 'application/json', 413],
    ['POST', '/api/workers/NAME/cron/run', 'application/json', 413],
    ['DELETE', '/api/workers/NAME', 'application/json', 403],
    ['POST', '/workers/NAME/promote', 'application/x-www-form-urlencoded', 413],
    ['POST', '/workers/NAME/logs', 'application/x-www-form-urlencoded', 413],
    ['POST', '/workers/NAME/delete', 'application/x-www-form-urlencoded', 413],
    ['POST', '/workers/NAME/cron/run', 'application/x-www-form-urlencoded', 413],
  ])('%s %s with a 90 MB body and no token: %i after reading at most the cap', async (method, path, type, status) => {
    const victim = await deployNew(uniqueName('victim'), helloScript('mine'))
    const json = type === 'application/json'
    const body = countedBody(
      90 * 1024 * 1024,
      json ? '{"deployment":"' : 'deployment=',
      () => 'x'.repeat(1024),
      json ? '"}' : '',
    )
    const res = await platformWith({}, path.replace('NAME', victim.name), {
      method,
      headers: { 'Content-Type': type, Origin: 'http://platform.test' },
      body: body.stream,
    })
    expect(res.status).toBe(status)
    expect(body.read()).toBeLessThan(MAX_ACTION_BODY_BYTES + 256 * 1024)
    // Nothing changed: the worker still answers.
    const still = await platformWith({}, `/api/workers/${victim.name}`)
    expect(still.status).toBe(200)
  })
})
