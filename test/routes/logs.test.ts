import { describe, expect, it } from 'vitest'
import { createExecutionContext } from 'cloudflare:test'
import app from '../../src/index'
import { env } from 'cloudflare:workers'
import { deployNew, ownerIdOf, platform, putScript, uniqueName } from '../helpers'
import { call, readLogs, waitForLines, type LogsBody as Logs } from '../logs-helpers'

describe('recent logs', () => {
  it('captures the first requests after a deploy, before anyone read the logs', async () => {
    const name = uniqueName('fresh-logs')
    const { token } = await deployNew(
      name,
      'export default { fetch(request) { console.log("served", new URL(request.url).pathname); return new Response("ok") } }',
    )
    await call(name, '/right-after-deploy')
    const lines = await waitForLines(name, token, 1)
    expect(lines.map((line) => line.message)).toEqual(['served /right-after-deploy'])
  })

  it.each([
    ['an ES module', 'export default { fetch() { LOG; return new Response("ok") } }'],
    ['a service-worker script', 'addEventListener("fetch", (event) => { LOG; event.respondWith(new Response("ok")) })'],
  ])('%s writes escape sequences to the console: they arrive written out, not raw', async (_kind, template) => {
    const name = uniqueName('ansi')
    // Red text, a cleared screen and a retitled terminal, and a C1 control (CSI).
    const log = 'console.log("\\x1b[31mred\\x1b[0m \\x1b[2J\\x1b]0;owned\\x07 \\x9b1m", { nested: "\\x1b" }, 7)'
    const { token } = await deployNew(name, template.replace('LOG', log))
    await call(name)
    const [line] = await waitForLines(name, token, 1)
    // eslint-disable-next-line no-control-regex -- no control character may arrive raw
    expect(line!.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
    expect(line!.message).toContain('\\u001b[31mred\\u001b[0m \\u001b[2J\\u001b]0;owned\\u0007 \\u009b1m')
  })

  it('records on each line the deployment that wrote it (dynamic-workers: the LogTail props)', async () => {
    const name = uniqueName('which-deploy')
    const script = (version: string) =>
      `export default { fetch() { console.log(${JSON.stringify(version)}); return new Response("") } }`
    const first = await deployNew(name, script('one'))
    await call(name)
    await waitForLines(name, first.token, 1)
    const second = await putScript(name, script('two'), first.token)
    const { workerId: secondId } = await second.json<{ workerId: string }>()
    await call(name)
    const lines = await waitForLines(name, first.token, 2)
    expect(lines.map((line) => [line.message, line.deployment])).toEqual([
      ['one', first.workerId],
      ['two', secondId],
    ])
    // Line IDs increase: they order the lines and let a follower resume.
    expect(lines[1]!.id).toBeGreaterThan(lines[0]!.id)
    const page = await platform(`/workers/${name}/logs`, {
      method: 'POST',
      body: new URLSearchParams({ token: first.token }),
    })
    // The page names the deployment by its label.
    expect(await page.text()).toMatch(/\[v1\] one\n.*\[v2\] two/)
  })

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
    // No credential at all: 401, asking for one; a wrong one: 401 as for an unknown token.
    expect(refused.status).toBe(401)
    expect(refused.headers.get('WWW-Authenticate')).toBe('Bearer')
    // A read is refused in the words of a read, not "to change it".
    const { error } = await refused.json<{ error: { message: string } }>()
    expect(error.message).toMatch(/^Only the owner can read this worker's logs: give its deploy token/)
    expect((await readLogs(name, 'dt_wrong')).status).toBe(401)
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
    expect(refused.status).toBe(401)
    const page = await platform(`/workers/${name}/logs`, { method: 'POST', body: new URLSearchParams({ token }) })
    const html = await page.text()
    expect(html).toContain('&lt;b&gt;visible&lt;/b&gt;')
    expect(html).toContain('Capture is on until')
  })

  it('stores dispatch-namespace tail events under the name from the script tags, with the deployment', async () => {
    const name = uniqueName('ns-tail')
    const { token, workerId } = await deployNew(name, 'export default { fetch() { return new Response("") } }')
    // Namespace scripts are uploaded under their Worker ID: that is the event's scriptName.
    const event = {
      scriptName: workerId,
      scriptTags: [`name:${name}`, `owner:${await ownerIdOf(name)}`],
      logs: [{ timestamp: Date.parse('2026-11-22T10:00:00Z'), level: 'log', message: ['from the namespace'] }],
      exceptions: [],
    } as unknown as TraceItem
    const stranger = { ...event, scriptName: 'not-a-worker-id', logs: [{ ...event.logs[0]!, message: ['unknown'] }] }
    await app.tail([event, stranger], env, createExecutionContext())
    const lines = await waitForLines(name, token, 2)
    expect(lines.map(({ id: _id, ...line }) => line)).toEqual([
      { at: '2026-11-22T10:00:00.000Z', level: 'log', message: 'from the namespace', deployment: workerId },
      // A script name that is no Worker ID of ours is not taken for a deployment.
      { at: '2026-11-22T10:00:00.000Z', level: 'log', message: 'unknown' },
    ])
  })

  it('drops tail events of an owner generation that no longer holds the name (deleted, then claimed again)', async () => {
    const name = uniqueName('ns-gen')
    const old = await deployNew(name, 'export default { fetch() { return new Response("") } }')
    const oldOwner = await ownerIdOf(name)
    expect(
      (await platform(`/api/workers/${name}`, { method: 'DELETE', headers: { Authorization: `Bearer ${old.token}` } }))
        .status,
    ).toBe(200)
    const now = await deployNew(name, 'export default { fetch() { return new Response("") } }')
    const late = (owner: string | undefined, message: string) =>
      ({
        scriptName: old.workerId,
        scriptTags: [`name:${name}`, `owner:${owner}`],
        logs: [{ timestamp: Date.parse('2026-11-22T10:00:00Z'), level: 'log', message: [message] }],
        exceptions: [],
      }) as unknown as TraceItem
    await app.tail(
      [late(oldOwner, 'the deleted owner’s late line'), late(await ownerIdOf(name), 'the new owner’s')],
      env,
      createExecutionContext(),
    )
    const lines = await waitForLines(name, now.token, 1)
    expect(lines.map((line) => line.message)).toEqual(['the new owner’s'])
  })
})
