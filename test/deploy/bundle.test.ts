import { describe, expect, it } from 'vitest'
import { toBase64 } from '../../src/lib/encoding'
import {
  bundleFromFiles,
  bundleFromScript,
  bundleSize,
  DEFAULT_MAIN_MODULE,
  MAX_MODULES,
  UPLOAD_CHECK_MODULE,
} from '../../src/deploy/bundle'
import { PLATFORM_MODULE, withPlatformModule } from '../../src/deploy/platform-module'

const MAX = 1024 * 1024
const ESM = 'export default { fetch() { return new Response("ok") } }'
const SERVICE_WORKER = 'addEventListener("fetch", (event) => event.respondWith(new Response("ok")))'

/** Asserts that `fn` throws a PlatformError with this code (and a message containing `message`). */
function refused(fn: () => unknown, code: string, message = '') {
  expect(fn).toThrow(expect.objectContaining({ code, message: expect.stringContaining(message) as unknown }))
}

describe('bundle from a pasted script', () => {
  it('is one ES module named worker.js', () => {
    expect(bundleFromScript(ESM, MAX)).toEqual({
      mainModule: DEFAULT_MAIN_MODULE,
      modules: [{ name: DEFAULT_MAIN_MODULE, type: 'esm', content: ESM }],
    })
  })

  it('recognises service-worker syntax, but not in a module that imports or exports', () => {
    expect(bundleFromScript(SERVICE_WORKER, MAX).modules[0]?.type).toBe('service-worker')
    expect(bundleFromScript(`export const x = 1\n${SERVICE_WORKER}`, MAX).modules[0]?.type).toBe('esm')
  })

  it('tells module syntax by a lexer, in one pass: a cap-sized run of newlines is one step each', () => {
    // The line-anchored regex this replaced backtracked over every newline from every line start:
    // 80,000 newlines took 9 s, and this input (the whole cap) would never have finished.
    const padded = `${SERVICE_WORKER}${'\n'.repeat(MAX - SERVICE_WORKER.length)}`
    expect(bundleFromScript(padded, MAX).modules[0]?.type).toBe('service-worker')
  })

  it('does not take "import" at the start of a line inside a string for module syntax', () => {
    const script = `const help = \`\nimport nothing: this is text\n\`\n${SERVICE_WORKER}`
    expect(bundleFromScript(script, MAX).modules[0]?.type).toBe('service-worker')
  })

  it('refuses an empty or blank script', () => {
    refused(() => bundleFromScript('', MAX), 'empty_script')
    refused(() => bundleFromScript(' \n\t', MAX), 'empty_script')
  })

  it('counts UTF-8 bytes against the cap', () => {
    const script = `// ${'é'.repeat(10)}\n${ESM}`
    const size = new TextEncoder().encode(script).byteLength
    expect(bundleSize(bundleFromScript(script, size))).toBe(size)
    refused(() => bundleFromScript(script, size - 1), 'script_too_large', `the limit is ${size - 1} B`)
  })
})

describe('bundle from files', () => {
  it('types modules by extension and picks the first JavaScript file as main', () => {
    const bundle = bundleFromFiles(
      [
        { name: 'data.json', content: '{"a":1}' },
        { name: 'index.mjs', content: ESM },
        { name: 'page.html', content: '<p>hi</p>' },
        { name: 'lib.js', content: 'export const x = 1' },
      ],
      undefined,
      MAX,
    )
    expect(bundle.mainModule).toBe('index.mjs')
    expect(bundle.modules.map((module) => [module.name, module.type])).toEqual([
      ['data.json', 'json'],
      ['index.mjs', 'esm'],
      ['page.html', 'text'],
      ['lib.js', 'esm'],
    ])
  })

  it('takes the chosen main module, and only a JavaScript one', () => {
    const files = [
      { name: 'a.js', content: ESM },
      { name: 'b.js', content: ESM },
      { name: 'c.txt', content: 'x' },
    ]
    expect(bundleFromFiles(files, 'b.js', MAX).mainModule).toBe('b.js')
    refused(() => bundleFromFiles(files, 'c.txt', MAX), 'invalid_request', 'main module')
    refused(() => bundleFromFiles(files, 'missing.js', MAX), 'invalid_request', 'main module')
  })

  it('keeps wasm as base64 of its bytes and counts its decoded size', () => {
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])
    const bundle = bundleFromFiles(
      [
        { name: 'w.js', content: ESM },
        { name: 'add.wasm', content: bytes },
      ],
      undefined,
      MAX,
    )
    expect(bundle.modules[1]).toEqual({ name: 'add.wasm', type: 'wasm', content: toBase64(bytes) })
    expect(bundleSize(bundle)).toBe(new TextEncoder().encode(ESM).byteLength + bytes.length)
  })

  it(`accepts exactly ${MAX_MODULES} files`, () => {
    const files = Array.from({ length: MAX_MODULES }, (_, index) => ({ name: `m${index}.js`, content: ESM }))
    expect(bundleFromFiles(files, undefined, MAX).modules).toHaveLength(MAX_MODULES)
  })

  it('uses the file name without any directory', () => {
    expect(bundleFromFiles([{ name: 'src/dir\\worker.js', content: ESM }], undefined, MAX).mainModule).toBe('worker.js')
  })

  it.each([
    ['a name with spaces', [{ name: 'my worker.js', content: ESM }], 'invalid_request', 'not a usable module name'],
    ['a dotted escape', [{ name: 'a..js', content: ESM }], 'invalid_request', 'not a usable module name'],
    ['an unknown extension', [{ name: 'worker.ts', content: ESM }], 'invalid_request', 'use .js or .mjs'],
    ['the platform module', [{ name: PLATFORM_MODULE, content: ESM }], 'invalid_request', 'reserved'],
    ['the upload check’s module', [{ name: UPLOAD_CHECK_MODULE, content: ESM }], 'invalid_request', 'reserved'],
    [
      `more than ${MAX_MODULES} files`,
      Array.from({ length: MAX_MODULES + 1 }, (_, index) => ({ name: `m${index}.js`, content: ESM })),
      'invalid_request',
      `at most ${MAX_MODULES}`,
    ],
    [
      'two files of one name',
      [
        { name: 'a.js', content: ESM },
        { name: 'dir/a.js', content: ESM },
      ],
      'invalid_request',
      'Two files',
    ],
    [
      'invalid JSON',
      [
        { name: 'a.js', content: ESM },
        { name: 'd.json', content: '{' },
      ],
      'script_rejected',
      'not valid JSON',
    ],
    ['no JavaScript', [{ name: 'd.txt', content: 'x' }], 'invalid_request', 'main module'],
    // Size before any parsing: an oversized file is never decoded or read as JSON.
    [
      'files over the cap before reading them',
      [
        { name: 'a.js', content: ESM },
        { name: 'd.json', content: `{${' '.repeat(MAX)}` },
      ],
      'script_too_large',
      'the limit is',
    ],
    ['no files', [], 'empty_script', 'empty'],
  ])('refuses %s', (_label, files, code, message) => {
    refused(() => bundleFromFiles(files, undefined, MAX), code, message)
  })
})

describe('platform module', () => {
  it('is added to module bundles with the worker’s name and deployment', () => {
    const bundle = withPlatformModule(bundleFromScript(ESM, MAX), { name: 'app', workerId: 'w-1' })
    const added = bundle.modules.find((module) => module.name === PLATFORM_MODULE)
    expect(added?.type).toBe('esm')
    expect(added?.content).toContain('worker: "app"')
    expect(added?.content).toContain('deployment: "w-1"')
  })

  it('is not added to service-worker scripts, which cannot import', () => {
    const bundle = bundleFromScript(SERVICE_WORKER, MAX)
    expect(withPlatformModule(bundle, { name: 'app', workerId: 'w-1' })).toBe(bundle)
  })
})
