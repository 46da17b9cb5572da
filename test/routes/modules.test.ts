import { describe, expect, it } from 'vitest'
import { MAX_MODULES } from '../../src/platform/bundle'
import { deployNew, platform, uniqueName } from '../helpers'

// (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
export const ADD_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x03, 0x02,
  0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20,
  0x01, 0x6a, 0x0b,
])

const MAIN = `import { greet } from "./lib.js";
import data from "./data.json";
import banner from "./banner.txt";
import addModule from "./add.wasm";

export default {
  async fetch() {
    const { exports } = await WebAssembly.instantiate(addModule);
    return Response.json({ greeting: greet(data.who), banner, sum: exports.add(2, 3) });
  },
};`

function multipart(files: Record<string, string | Uint8Array>, fields: Record<string, string> = {}) {
  const form = new FormData()
  for (const [name, content] of Object.entries(files)) form.append(name, new File([content], name))
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  return form
}

const FILES = {
  'main.mjs': MAIN,
  'lib.js': 'export const greet = (who) => `hello ${who}`;',
  'data.json': '{"who": "modules"}',
  'banner.txt': '*** banner ***',
  'add.wasm': ADD_WASM,
}
const EXPECTED = { greeting: 'hello modules', banner: '*** banner ***', sum: 5 }

describe('modules and syntax', () => {
  it('deploys several files through the API (multipart) with a chosen main module: ES modules, JSON, text, WASM', async () => {
    const name = uniqueName('multi')
    const res = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      body: multipart(FILES, { main: 'main.mjs', label: 'multi' }),
    })
    expect(res.status).toBe(201)
    expect(await (await platform(`/user-workers/${name}`)).json()).toEqual(EXPECTED)
  })

  it('deploys several files from the form’s file input', async () => {
    const name = uniqueName('form-multi')
    const form = multipart({}, { name, script: '', main: 'main.mjs' })
    for (const [file, content] of Object.entries(FILES)) form.append('file', new File([content], file))
    const res = await platform('/upload', { method: 'POST', body: form })
    expect(res.status).toBe(303)
    expect(await (await platform(`/user-workers/${name}`)).json()).toEqual(EXPECTED)
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
