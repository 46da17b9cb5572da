import { describe, expect, it } from 'vitest'
import { parse } from 'jsonc-parser'
import type { DeclaredEnv } from '../../src/deploy/build'
import { declaredWrangler, platform, uniqueName } from '../helpers'

// Cloudflare's Durable Object starters as create-cloudflare ships them (their JavaScript variants,
// which the builder double takes as they are), deployed from node_modules and driven as their READMEs
// say. Their wrangler.jsonc is read here into the declared env the real builder makes of it
// (test/builder/c3-templates.test.ts checks that reading on the TypeScript variants).

const FILES = import.meta.glob<string>(
  [
    '/node_modules/create-cloudflare/templates/hello-world-durable-object/js/**/*',
    '/node_modules/create-cloudflare/templates/hello-world-durable-object-with-assets/js/**/*',
  ],
  { query: '?raw', import: 'default', eager: true },
)

interface TemplateConfig {
  durable_objects: { bindings: { name: string; class_name: string }[] }
  migrations: { tag: string; new_sqlite_classes?: string[] }[]
  assets?: { directory: string }
}

/** The template's files as C3 writes them, and its wrangler.jsonc as the builder double's wrangler.json. */
function template(folder: string): Record<string, string> {
  const root = `/node_modules/create-cloudflare/templates/${folder}/js/`
  const files = Object.fromEntries(
    Object.entries(FILES)
      .filter(([path]) => path.startsWith(root))
      .map(([path, content]) => [path.slice(root.length), content.replaceAll('<WORKER_NAME>', 'my-app')]),
  )
  const config = parse(files['wrangler.jsonc']!) as TemplateConfig
  const declared: Partial<DeclaredEnv> = {
    file: 'wrangler.jsonc',
    durableObjects: config.durable_objects.bindings.map((entry) => ({
      binding: entry.name,
      className: entry.class_name,
    })),
    objectMigrations: config.migrations.map((step) => ({
      tag: step.tag,
      newClasses: step.new_sqlite_classes ?? [],
      renamedClasses: [],
      deletedClasses: [],
    })),
  }
  delete files['wrangler.jsonc']
  return { ...files, 'wrangler.json': declaredWrangler(declared) }
}

async function deploy(name: string, files: Record<string, string>): Promise<void> {
  const res = await platform(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ files }),
  })
  expect(res.status, await res.clone().text()).toBeLessThan(300)
}

describe("create-cloudflare's Durable Object starters on dynamic-workers", () => {
  it('hello-world-durable-object: "Hello, world!" from its object', async () => {
    const name = uniqueName('c3-do')
    await deploy(name, template('hello-world-durable-object'))
    const res = await platform(`/user-workers/${name}/`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('Hello, world!')
  })

  it('hello-world-durable-object-with-assets: its page at /, the object at /message', async () => {
    const name = uniqueName('c3-do')
    const files = template('hello-world-durable-object-with-assets')
    await deploy(name, files)
    const page = await platform(`/user-workers/${name}/`, { headers: { 'Sec-Fetch-Mode': 'navigate' } })
    expect(page.status).toBe(200)
    expect(await page.text()).toBe(files['public/index.html'])
    expect(await (await platform(`/user-workers/${name}/message`)).text()).toBe('Hello, world!')
  })
})
