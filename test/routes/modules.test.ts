import { describe, expect, it } from 'vitest'
import { MAX_MODULES } from '../../src/deploy/bundle'
import { MODULE_FILES, MODULE_RESULT, multipart } from '../fixtures/modules'
import { deployNew, platform, uniqueName } from '../helpers'

describe('modules and syntax', () => {
  it('deploys several files through the API (multipart) with a chosen main module: ES modules, JSON, text, WASM', async () => {
    const name = uniqueName('multi')
    const res = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      body: multipart(MODULE_FILES, { main: 'main.mjs', label: 'multi' }),
    })
    expect(res.status).toBe(201)
    expect(await (await platform(`/user-workers/${name}`)).json()).toEqual(MODULE_RESULT)
  })

  it('deploys several files from the form’s file input', async () => {
    const name = uniqueName('form-multi')
    const form = multipart({}, { name, script: '', main: 'main.mjs' })
    for (const [file, content] of Object.entries(MODULE_FILES)) form.append('file', new File([content], file))
    const res = await platform('/upload', { method: 'POST', body: form })
    expect(res.status).toBe(303)
    expect(await (await platform(`/user-workers/${name}`)).json()).toEqual(MODULE_RESULT)
  })

  it.each([
    [
      'a main module that is not among the files',
      { 'a.js': 'export default {}' },
      { main: 'b.js' },
      'Choose a .js or .mjs file',
    ],
    ['an unknown file type', { 'a.js': 'export default { fetch() {} }', 'x.exe': 'MZ' }, {}, 'use .js or .mjs'],
    ['invalid JSON', { 'a.js': 'export default { fetch() {} }', 'bad.json': '{' }, {}, 'is not valid JSON'],
    [
      'a file named platform.js',
      { 'a.js': 'export default { fetch() {} }', 'platform.js': 'x' },
      {},
      'reserved for a module of the platform',
    ],
    [
      'a main module named like the upload check’s probe (it would skip the check)',
      { '__platform_upload_check.js': 'throw new Error("never checked"); export default {}' },
      {},
      'reserved for a module of the platform',
    ],
    [
      'more files than the cap',
      Object.fromEntries(Array.from({ length: MAX_MODULES + 1 }, (_, index) => [`m${index}.js`, 'export default {}'])),
      {},
      `at most ${MAX_MODULES} are allowed`,
    ],
    [
      'a service-worker script with other files (it cannot import them)',
      { 'worker.js': 'addEventListener("fetch", (e) => e.respondWith(new Response("sw")))', 'data.json': '{}' },
      {},
      'uses service-worker syntax',
    ],
    [
      'an import of a missing module',
      { 'a.js': 'import "./nope.js"; export default { fetch() {} }' },
      {},
      'does not start',
    ],
  ])('refuses %s (400)', async (_, files, fields, message) => {
    const res = await platform(`/api/workers/${uniqueName('bad-files')}`, {
      method: 'PUT',
      body: multipart(files, fields),
    })
    expect(res.status).toBe(400)
    expect((await res.json<{ error: { message: string } }>()).error.message).toContain(message)
  })

  it('runs service-worker syntax as is', async () => {
    const name = uniqueName('sw')
    await deployNew(
      name,
      'addEventListener("fetch", (event) => event.respondWith(new Response("from a service worker " + new URL(event.request.url).pathname)))',
    )
    expect(await (await platform(`/user-workers/${name}/path`)).text()).toBe('from a service worker /path')
  })

  it('refuses a service-worker script that does not start, but not one whose handler throws', async () => {
    const broken = await platform(`/api/workers/${uniqueName('sw-bad')}`, {
      method: 'PUT',
      body: 'addEventListener("fetch", (e) => {',
    })
    expect(broken.status).toBe(400)
    expect(await broken.text()).toContain('SyntaxError')
    const throwing = await platform(`/api/workers/${uniqueName('sw-throws')}`, {
      method: 'PUT',
      body: 'addEventListener("fetch", () => { throw new Error("only for real requests") })',
    })
    expect(throwing.status).toBe(201)
  })

  it('injects the platform module: import { platform } from "./platform.js"', async () => {
    const name = uniqueName('platform-module')
    const { workerId } = await deployNew(
      name,
      `import { platform } from "./platform.js";
       export default { fetch(request) { return platform.json({ name: platform.name, worker: platform.worker, deployment: platform.deployment, mount: platform.mount(request) }) } }`,
    )
    const res = await platform(`/user-workers/${name}`)
    expect(res.headers.get('x-served-by')).toBe('Workers Platform')
    expect(await res.json()).toEqual({
      name: 'Workers Platform',
      worker: name,
      deployment: workerId,
      mount: `/user-workers/${name}`,
    })
  })
})
