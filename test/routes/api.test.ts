import { describe, expect, it } from 'vitest'
import { deployNew, helloScript, platform, platformWith, putScript, uniqueName } from '../helpers'

type ApiError = { error: { code: string; message: string } }
type ApiWorker = { name: string; workerId: string; url: string }

describe('JSON API', () => {
  it('PUT creates (201) then updates (200), answering { name, workerId, url }', async () => {
    const name = uniqueName('api')
    const created = await putScript(name, helloScript('one'))
    expect(created.status).toBe(201)
    const first = await created.json<ApiWorker & { token: string }>()
    expect(first).toMatchObject({ name, url: `http://platform.test/user-workers/${name}` })
    expect(first.workerId).toMatch(/^w-[a-z0-9]+-[0-9a-f]{20}$/)
    expect(first.token).toMatch(/^dt_[A-Za-z0-9_-]{43}$/)

    const updated = await putScript(name, helloScript('two'), first.token)
    expect(updated.status).toBe(200)
    const second = await updated.json<ApiWorker>()
    expect(second.workerId).not.toBe(first.workerId)
    expect(second).not.toHaveProperty('token')
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('two')
  })

  it('PUT accepts a JSON body { "script": "…" }', async () => {
    const name = uniqueName('json')
    const res = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: helloScript('from json') }),
    })
    expect(res.status).toBe(201)
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('from json')
  })

  it('gives siteUrl at <name>.localhost:8787 also when called at 127.0.0.1, as the worker page links it', async () => {
    const name = uniqueName('api-own')
    await deployNew(name, helloScript('x'))
    for (const host of ['localhost:8787', '127.0.0.1:8787']) {
      const described = await (await platform(`http://${host}/api/workers/${name}`)).json<{ siteUrl?: string }>()
      expect(described.siteUrl).toBe(`http://${name}.localhost:8787/`)
    }
  })

  it('GET lists workers and describes one', async () => {
    const name = uniqueName('get')
    const { workerId } = await (await putScript(name, helloScript('x'))).json<ApiWorker>()

    const one = await platform(`/api/workers/${name}`)
    expect(one.status).toBe(200)
    expect(await one.json()).toMatchObject({
      name,
      workerId,
      size: helloScript('x').length,
      backend: 'dynamic-workers',
    })

    // Paged: other test files' workers may fill the first pages (the files share storage).
    const listed: ApiWorker[] = []
    let cursor: string | null = ''
    while (cursor !== null && !listed.some((worker) => worker.name === name)) {
      const page = await platform(`/api/workers${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`)
      const list = await page.json<{ workers: ApiWorker[]; cursor: string | null }>()
      listed.push(...list.workers)
      cursor = list.cursor
    }
    expect(listed).toContainEqual(expect.objectContaining({ name, workerId }))
  })

  it('refuses to deploy a name RESERVED_NAMES lists; a worker created before can still be deleted, not updated', async () => {
    const name = uniqueName('later-reserved')
    const before = { RESERVED_NAMES: 'www' }
    const created = await platformWith(before, `/api/workers/${name}`, { method: 'PUT', body: helloScript('x') })
    expect(created.status).toBe(201)
    const { token } = await created.json<{ token: string }>()

    const reserved = { RESERVED_NAMES: `www, ${name}` }
    const auth = { Authorization: `Bearer ${token}` }
    const update = await platformWith(reserved, `/api/workers/${name}`, { method: 'PUT', headers: auth, body: 'x' })
    expect(update.status).toBe(400)
    expect(await update.json()).toEqual({
      error: {
        code: 'invalid_name',
        message: expect.stringContaining(`"${name}" is reserved by the platform`) as unknown,
      },
    })
    const form = new URLSearchParams({ name, script: helloScript('y'), token })
    const viaForm = await platformWith(reserved, '/upload', { method: 'POST', body: form })
    expect(viaForm.status).toBe(400)
    expect(await viaForm.text()).toContain('is reserved by the platform')

    const removed = await platformWith(reserved, `/api/workers/${name}`, { method: 'DELETE', headers: auth })
    expect(removed.status).toBe(200)
  })

  it('DELETE removes the mapping and the code; the name then answers 404', async () => {
    const name = uniqueName('gone')
    const { token } = await deployNew(name, helloScript('x'))
    const auth = { Authorization: `Bearer ${token}` }
    const res = await platform(`/api/workers/${name}`, { method: 'DELETE', headers: auth })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ name, deleted: true })
    expect((await platform(`/user-workers/${name}`)).status).toBe(404)
    expect((await platform(`/api/workers/${name}`)).status).toBe(404)
    expect((await platform(`/api/workers/${name}`, { method: 'DELETE', headers: auth })).status).toBe(404)
  })

  it.each([
    [
      'an invalid name',
      'PUT',
      '/api/workers/Bad_Name',
      helloScript('x'),
      'application/javascript',
      400,
      'invalid_name',
    ],
    [
      'a too long name',
      'PUT',
      `/api/workers/${'a'.repeat(64)}`,
      helloScript('x'),
      'application/javascript',
      400,
      'invalid_name',
    ],
    ['a double hyphen', 'PUT', '/api/workers/a--b', helloScript('x'), 'application/javascript', 400, 'invalid_name'],
    ['an empty script', 'PUT', '/api/workers/empty', '', 'application/javascript', 400, 'empty_script'],
    ['malformed JSON', 'PUT', '/api/workers/badjson', '{"script": ', 'application/json', 400, 'invalid_request'],
    [
      'JSON without a script',
      'PUT',
      '/api/workers/noscript',
      '{"code": "x"}',
      'application/json',
      400,
      'invalid_request',
    ],
    [
      'a syntax error',
      'PUT',
      '/api/workers/syntax',
      'export default {',
      'application/javascript',
      400,
      'script_rejected',
    ],
    ['an unknown worker', 'GET', '/api/workers/nobody', undefined, undefined, 404, 'worker_not_found'],
    ['an unknown route', 'GET', '/api/nothing', undefined, undefined, 404, 'not_found'],
  ])('answers %s with a JSON error', async (_, method, path, body, type, status, code) => {
    const res = await platform(path, { method, body, headers: type ? { 'Content-Type': type } : {} })
    expect(res.status).toBe(status)
    const json = await res.json<ApiError>()
    expect(json.error.code).toBe(code)
    expect(json.error.message.length).toBeGreaterThan(10)
  })

  it('answers 413 for a script over the cap', async () => {
    const res = await putScript(
      'too-big',
      `// ${'x'.repeat(1024 * 1024)}\nexport default { fetch() { return new Response("") } }`,
    )
    expect(res.status).toBe(413)
    expect((await res.json<ApiError>()).error.code).toBe('script_too_large')
  })

  it('reports the runtime message for a syntax error', async () => {
    const res = await putScript(uniqueName('syntax'), 'export default { fetch() { return new Response("x") }')
    const { error } = await res.json<ApiError>()
    expect(error.message).toMatch(/^The script does not start: Uncaught SyntaxError: Unexpected end of input/)
  })
})
