import { describe, expect, it } from 'vitest'
import app from '../../src/index'
import { env } from 'cloudflare:workers'
import { deployNew, platform, uniqueName } from '../helpers'

type Logs = { lines: { at: string; level: string; message: string }[]; capturingUntil: string }

const readLogs = (name: string, token?: string) =>
  platform(`/api/workers/${name}/logs`, { headers: token ? { Authorization: `Bearer ${token}` } : {} })

/** Tail events arrive after the response; wait until `count` lines are stored. */
async function waitForLines(name: string, token: string, count: number): Promise<Logs['lines']> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const { lines } = await (await readLogs(name, token)).json<Logs>()
    if (lines.length >= count) return lines
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const { lines } = await (await readLogs(name, token)).json<Logs>()
  throw new Error(`fewer than ${count} log lines for ${name}: ${JSON.stringify(lines)}`)
}

describe('recent logs', () => {
  it('keeps console output and uncaught exceptions of a worker, for its owner only', async () => {
    const name = uniqueName('logs')
    const { token } = await deployNew(
      name,
      `export default { fetch(request) {
        console.log("handling", new URL(request.url).pathname, { n: 1 });
        if (request.url.endsWith("/fail")) throw new Error("it broke");
        console.warn("careful");
        return new Response("ok");
      } }`,
    )
    // Not watched yet: nothing is captured (a tail would cost every request).
    await (await platform(`/user-workers/${name}/unwatched`)).text()
    const first = await (await readLogs(name, token)).json<Logs>()
    expect(first.lines).toEqual([])
    expect(Date.parse(first.capturingUntil) - Date.now()).toBeGreaterThan(14 * 60_000)

    // An invocation ends (and its trace is sent) once its response body has been read.
    await (await platform(`/user-workers/${name}/first`)).text()
    await (await platform(`/user-workers/${name}/fail`)).text()
    const lines = await waitForLines(name, token, 4)
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['log', 'handling /first {"n":1}'],
      ['warn', 'careful'],
      ['log', 'handling /fail {"n":1}'],
      ['exception', 'Error: it broke'],
    ])

    const refused = await readLogs(name)
    expect(refused.status).toBe(403)
    // A read is refused in the words of a read, not "to change it".
    const { error } = await refused.json<{ error: { message: string } }>()
    expect(error.message).toMatch(/^Only the owner can read this worker's logs: give its deploy token/)
    expect((await readLogs(name, 'dt_wrong')).status).toBe(403)
    expect((await readLogs('nobody-logs', token)).status).toBe(404)
  })

  it('keeps only the last 100 lines', async () => {
    const name = uniqueName('chatty')
    const { token } = await deployNew(
      name,
      'export default { fetch() { for (let i = 1; i <= 150; i++) console.log("line " + i); return new Response("") } }',
    )
    await readLogs(name, token)
    await (await platform(`/user-workers/${name}`)).text()
    const lines = await waitForLines(name, token, 100)
    expect(lines).toHaveLength(100)
    expect(lines[0]!.message).toBe('line 51')
    expect(lines[99]!.message).toBe('line 150')
  })

  it('shows logs on the worker page after the owner gives the token', async () => {
    const name = uniqueName('page-logs')
    const { token } = await deployNew(
      name,
      'export default { fetch() { console.log("<b>visible</b>"); return new Response("") } }',
    )
    await readLogs(name, token)
    await (await platform(`/user-workers/${name}`)).text()
    await waitForLines(name, token, 1)
    const refused = await platform(`/workers/${name}/logs`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'no' }),
    })
    expect(refused.status).toBe(403)
    const page = await platform(`/workers/${name}/logs`, { method: 'POST', body: new URLSearchParams({ token }) })
    const html = await page.text()
    expect(html).toContain('&lt;b&gt;visible&lt;/b&gt;')
    expect(html).toContain('Capturing until')
  })

  it('stores dispatch-namespace tail events under the name from the script tags', async () => {
    const name = uniqueName('ns-tail')
    const { token } = await deployNew(name, 'export default { fetch() { return new Response("") } }')
    const event = {
      scriptName: 'w-whatever',
      scriptTags: [`name:${name}`, 'owner:o-x'],
      logs: [{ timestamp: Date.parse('2026-11-22T10:00:00Z'), level: 'log', message: ['from the namespace'] }],
      exceptions: [],
    } as unknown as TraceItem
    await app.tail([event], env)
    const lines = await waitForLines(name, token, 1)
    expect(lines).toEqual([{ at: '2026-11-22T10:00:00.000Z', level: 'log', message: 'from the namespace' }])
  })
})
