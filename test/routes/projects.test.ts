import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { inputValue, platform, platformWith, postForm, textareaContent, uniqueName } from '../helpers'

// Projects go through the builder Worker; here a stand-in (test/doubles/builder.js) answers by the
// build contract, so these tests are about the platform's side: reading uploads, mapping build
// results and failures, and what a deployment records. The real builder has its own tests.

const WORKER = 'export default { fetch() { return new Response("built") } }'

interface Described {
  workerId: string
  token?: string
  compatibility?: { date: string; flags: string[] }
  build?: {
    files: string[]
    dependencies: Record<string, string>
    warnings: string[]
    assets: { count: number; bytes: number }
    hasWorker: boolean
  }
}

const putJson = (name: string, body: unknown, overrides = {}) =>
  platformWith(overrides, `/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })

async function builderRequests(): Promise<
  { source: { files?: string[]; zip?: number }; entry: string | null; cacheScope: string | null }[]
> {
  return (await env.BUILDER.fetch('http://builder/requests')).json()
}

describe('projects (built by the builder Worker)', () => {
  it('deploys a JSON map of files, and records what went into the build', async () => {
    const name = uniqueName('proj-json')
    const res = await putJson(name, {
      files: {
        'src/index.ts': WORKER,
        'package.json': JSON.stringify({ dependencies: { hono: '^4.6.0' }, description: 'WARN' }),
        'wrangler.json': JSON.stringify({ compatibility_date: '2026-10-01', compatibility_flags: ['nodejs_compat'] }),
        'public/logo.png': { base64: 'iVBORw0KGgo=' },
      },
    })
    expect(res.status).toBe(201)
    const described = await res.json<Described>()
    expect(described.compatibility).toEqual({ date: '2026-10-01', flags: ['nodejs_compat'] })
    expect(described.build).toEqual({
      files: ['package.json', 'public/logo.png', 'src/index.ts', 'wrangler.json'],
      dependencies: { hono: '4.6.0' },
      warnings: ['a build warning'],
      assets: { count: 1, bytes: 8 },
      hasWorker: true,
    })
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('built')

    // The worker page shows the same to its owner and visitors.
    const page = await (await platform(`/workers/${name}`)).text()
    expect(page).toContain('compatibility date <code>2026-10-01</code>, flags nodejs_compat')
    expect(page).toContain('hono@4.6.0')
    expect(page).toContain('1 files, 8 B')
    expect(page).toContain('a build warning')
  })

  it('builds TypeScript sent as the raw body or as JSON with a language', async () => {
    const raw = uniqueName('proj-ts')
    const res = await platform(`/api/workers/${raw}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/typescript' },
      body: WORKER,
    })
    expect(res.status).toBe(201)
    expect((await builderRequests()).at(-1)?.source.files).toEqual(['worker.ts'])

    const json = uniqueName('proj-tsx')
    expect((await putJson(json, { script: WORKER, language: 'tsx' })).status).toBe(201)
    expect((await builderRequests()).at(-1)?.source.files).toEqual(['worker.tsx'])
    expect(await (await platform(`/user-workers/${json}`)).text()).toBe('built')
  })

  it('takes multipart parts named by their relative paths as a project, and a lone .zip as an archive', async () => {
    const name = uniqueName('proj-multipart')
    const form = new FormData()
    form.append('file', new File([WORKER], 'src/index.ts'))
    form.append('file', new File(['{}'], 'package.json'))
    form.append('entry', 'src/index.ts')
    expect((await platform(`/api/workers/${name}`, { method: 'PUT', body: form })).status).toBe(201)
    expect((await builderRequests()).at(-1)).toMatchObject({
      source: { files: ['src/index.ts', 'package.json'] },
      entry: 'src/index.ts',
    })

    const zipped = uniqueName('proj-zip')
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])
    const res = await platform(`/api/workers/${zipped}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/zip' },
      body: zip,
    })
    expect(res.status).toBe(201)
    expect(await (await platform(`/user-workers/${zipped}`)).text()).toBe('zip of 7 bytes')
  })

  it('keeps flat module uploads (JavaScript, JSON, text) as ready-made Workers, without a build', async () => {
    const name = uniqueName('proj-modules')
    const before = (await builderRequests()).length
    const form = new FormData()
    form.append('file', new File([WORKER], 'worker.js'))
    form.append('file', new File(['{"a":1}'], 'data.json'))
    expect((await platform(`/api/workers/${name}`, { method: 'PUT', body: form })).status).toBe(201)
    expect((await builderRequests()).length).toBe(before)
  })

  it.each([
    [
      'a syntax error, with file:line:column',
      { files: { 'src/index.ts': 'export default {\n  fetch() { SYNTAX_ERROR } }' } },
      400,
      'The build failed:\nsrc/index.ts:2:13: Unexpected "SYNTAX_ERROR"',
    ],
    [
      'a package that cannot be installed, by name',
      { files: { 'src/index.ts': WORKER, 'package.json': '{"dependencies":{"missing-package":"1"}}' } },
      400,
      'Could not install "missing-package"',
    ],
    ['a failure of the builder itself', { files: { 'src/index.ts': `${WORKER} // BUILDER_FAULT` } }, 502, 'builder'],
  ])('refuses %s', async (_label, body, status, message) => {
    const name = uniqueName('proj-bad')
    const res = await putJson(name, body)
    expect(res.status).toBe(status)
    expect((await res.json<{ error: { message: string } }>()).error.message).toContain(message)
    expect((await platform(`/api/workers/${name}`)).status).toBe(404)
  })

  it('a project whose build outlasts another upload’s claim of the name lost a race (409), not a taken name (403)', async () => {
    const name = uniqueName('proj-race')
    const slow = putJson(name, { files: { 'src/index.ts': `${WORKER} // SLOW_BUILD` } })
    // Long enough for the slow upload to have begun (its start is what the race is judged by) on a
    // loaded machine, well within its build (SLOW_BUILD: 1.5 s in the builder double).
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect((await platform(`/api/workers/${name}`, { method: 'PUT', body: WORKER })).status).toBe(201)
    expect((await slow).status).toBe(409)
  })

  it('refuses a project over a limit with 413, naming the limit and the setting', async () => {
    const res = await putJson(
      uniqueName('proj-big'),
      { files: { 'src/index.ts': WORKER, 'a.txt': 'a' } },
      { MAX_PROJECT_FILES: '1' },
    )
    expect(res.status).toBe(413)
    expect((await res.json<{ error: { message: string } }>()).error.message).toContain(
      'The limit: 1 files per project, MAX_PROJECT_FILES',
    )
  })

  it('refuses a build whose output is over MAX_SCRIPT_BYTES, though its input was within the project cap', async () => {
    const name = uniqueName('proj-out')
    const big = `${WORKER}\n// ${'x'.repeat(4096)}`
    const res = await putJson(name, { files: { 'src/index.ts': big } }, { MAX_SCRIPT_BYTES: '4096' })
    expect(res.status).toBe(413)
    expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(
      /^The built Worker \(MAX_SCRIPT_BYTES\) is 4\.\d KiB; the limit is 4\.0 KiB\.$/,
    )
    expect((await platform(`/api/workers/${name}`)).status).toBe(404)
  })

  it.each([
    [{ compatibility_flags: ['no_such_flag_xyz'] }, 'No such compatibility flag: no_such_flag_xyz'],
    [{ compatibility_flags: ['experimental'] }, 'The compatibility flag experimental is experimental'],
    [{ compatibility_flags: ['nodejs_compat', 'no_nodejs_compat'] }, 'mutually contradictory'],
    [{ compatibility_date: '2026-13-45' }, 'Invalid compatibility date: 2026-13-45'],
    [{ compatibility_date: '2999-01-01' }, 'requires compatibility date "2999-01-01"'],
  ])('refuses compatibility settings the runtime does not take (%j) with 400 naming them', async (wrangler, why) => {
    const name = uniqueName('proj-compat')
    const res = await putJson(name, { files: { 'src/index.ts': WORKER, 'wrangler.json': JSON.stringify(wrangler) } })
    expect(res.status).toBe(400)
    const { message } = (await res.json<{ error: { message: string } }>()).error
    expect(message).toMatch(/^The runtime refused the compatibility settings \(compatibility_date "/)
    expect(message).toContain(why)
    expect((await platform(`/api/workers/${name}`)).status).toBe(404)
  })

  it('scopes the build cache to the name and the credential: no tenant can time another’s builds', async () => {
    const name = uniqueName('proj-scope')
    const project = { files: { 'src/index.ts': WORKER } }
    const first = await putJson(name, project)
    const { token } = await first.json<{ token: string }>()
    const scopeOfLast = async () => (await builderRequests()).at(-1)?.cacheScope
    const anonymous = await scopeOfLast()
    await platformWith({}, `/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(project),
    })
    const owner = await scopeOfLast()
    await platformWith({}, `/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(project),
    })
    expect(await scopeOfLast()).toBe(owner)
    await putJson(uniqueName('proj-scope-other'), project)
    const other = await scopeOfLast()
    expect(new Set([anonymous, owner, other]).size).toBe(3)
    expect(owner).toMatch(/^[0-9a-f]{64}$/)
    expect(owner).not.toContain(token)
  })

  it('refuses a JSON files map it cannot read', async () => {
    expect((await putJson(uniqueName('proj-x'), { files: ['src/index.ts'] })).status).toBe(400)
    expect((await putJson(uniqueName('proj-x'), { files: { 'a.png': { base64: '***' } } })).status).toBe(400)
    expect((await putJson(uniqueName('proj-x'), { script: WORKER, language: 'rust' })).status).toBe(400)
  })
})

describe('projects from the upload form', () => {
  it('builds TypeScript pasted in the code box', async () => {
    const name = uniqueName('form-ts')
    const res = await postForm({ name, script: WORKER, language: 'ts' })
    expect(res.status).toBe(303)
    expect((await builderRequests()).at(-1)?.source.files).toEqual(['worker.ts'])
    expect(await (await platform(`/user-workers/${name}`)).text()).toBe('built')
  })

  it('builds a chosen folder (its own name stripped), and a .zip', async () => {
    const name = uniqueName('form-folder')
    const res = await postForm({
      name,
      mode: 'project',
      project_folder: new File([WORKER], 'my-app/src/index.ts'),
      entry: 'src/index.ts',
    })
    expect(res.status).toBe(303)
    expect((await builderRequests()).at(-1)).toMatchObject({
      source: { files: ['src/index.ts'] },
      entry: 'src/index.ts',
    })

    const zipped = uniqueName('form-zip')
    const zip = await postForm({ name: zipped, mode: 'project', project_archive: new File(['PK..'], 'site.zip') })
    expect(zip.status).toBe(303)
    expect(await (await platform(`/user-workers/${zipped}`)).text()).toBe('zip of 4 bytes')
  })

  it('shows a build error with file:line:column and keeps what was typed', async () => {
    const name = uniqueName('form-error')
    const script = 'export default {\n  fetch() { SYNTAX_ERROR } }'
    const res = await postForm({ name, script, language: 'tsx', label: 'mine' })
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toContain('worker.tsx:2:13: Unexpected')
    expect(textareaContent(html)).toBe(script)
    expect(inputValue(html, 'label')).toBe('mine')
    expect(html).toMatch(/<option value="tsx" selected/)
  })
})
