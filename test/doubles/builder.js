// A stand-in for the builder Worker (builder/), run as an auxiliary Worker in the platform's vitest
// project: the real builder carries esbuild-wasm and is tested as the main Worker of its own
// project (test/builder/), and end to end in Chromium. This one answers `Builder.build()` by the
// contract in src/deploy/build.ts, without compiling anything, so the platform's handling of a
// build (routes, errors, releases, assets) can be tested fast and offline:
// - the entry (request.entry, else src/index.ts/js, else the only script) becomes `worker.js`
//   as it is: tests send TypeScript that is also valid JavaScript;
// - files under public/ become assets; package.json dependencies come back with their ranges' digits
//   as the "resolved" versions; wrangler.json's compatibility date/flags and assets config pass through,
//   and its "x-declared" (a test hook: the real builder reads it from the config's bindings) is the
//   build's declared env;
// - a file containing SYNTAX_ERROR fails like esbuild (file:line:column), a dependency named
//   "missing-package" like an install failure, more files than limits.maxFiles like a limit,
//   a file containing BUILDER_FAULT like a builder bug, SLOW_BUILD takes 1,500 ms; a zip is answered as a one-file Worker
//   saying how many bytes it had.
// Every request is kept, for tests to read through the binding: env.BUILDER.fetch('http://builder/requests').
import { WorkerEntrypoint } from 'cloudflare:workers'

const requests = []

const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  png: 'image/png',
}

export class Builder extends WorkerEntrypoint {
  /** GET /requests: every build request so far (summaries), for tests through the BUILDER binding. */
  fetch() {
    return Response.json(requests)
  }

  async build(request) {
    requests.push(summary(request))
    if ('zip' in request.source) {
      const script = `export default { fetch() { return new Response("zip of ${request.source.zip.byteLength} bytes") } }`
      return success({ mainModule: 'worker.js', modules: [{ name: 'worker.js', type: 'esm', content: script }] })
    }
    const files = Object.entries(request.source.files).map(([path, content]) => [path, text(content)])
    if (files.length > request.limits.maxFiles) {
      return failure(
        'limit',
        [{ message: `The project has ${files.length} files; at most ${request.limits.maxFiles}.` }],
        'maxFiles',
      )
    }
    for (const [path, content] of files) {
      const at = content.indexOf('SYNTAX_ERROR')
      if (at !== -1) {
        const before = content.slice(0, at).split('\n')
        const [line, column] = [before.length, before.at(-1).length + 1]
        // As esbuild's errors come from the real builder: the message starts with file:line:column.
        return failure('user', [
          { message: `${path}:${line}:${column}: Unexpected "SYNTAX_ERROR"`, file: path, line, column },
        ])
      }
      if (content.includes('BUILDER_FAULT')) return failure('internal', [{ message: 'The builder failed.' }])
      if (content.includes('SLOW_BUILD')) await new Promise((resolve) => setTimeout(resolve, 1500))
    }
    const pkg = json(files, 'package.json') ?? {}
    const dependencies = {}
    for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
      if (name === 'missing-package') {
        return failure('user', [{ message: `Could not install "${name}": not in the registry.`, package: name }])
      }
      dependencies[name] = String(range).replace(/^[^\d]*/, '')
    }
    const wrangler = json(files, 'wrangler.json') ?? {}
    const assets = Object.entries(request.source.files)
      .filter(([path]) => path.startsWith('public/'))
      .map(([path, content]) => {
        const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content
        const type = CONTENT_TYPES[path.split('.').pop()] ?? 'application/octet-stream'
        return { path: path.slice('public'.length), content: bytes, contentType: type, size: bytes.byteLength }
      })
    const scripts = files.filter(([path]) => /\.(ts|tsx|js|mjs)$/.test(path) && !path.startsWith('public/'))
    const entry =
      request.entry ??
      ['src/index.ts', 'src/index.js', 'index.ts', 'index.js'].find((path) => files.some(([p]) => p === path)) ??
      (scripts.length === 1 ? scripts[0][0] : undefined)
    const source = files.find(([path]) => path === entry)?.[1]
    const worker =
      source === undefined
        ? null
        : { mainModule: 'worker.js', modules: [{ name: 'worker.js', type: 'esm', content: source }] }
    return success(worker, {
      files: files.map(([path]) => path).sort(),
      assets,
      ...(wrangler.assets ? { assetConfig: wrangler.assets } : {}),
      dependencies,
      ...(wrangler.compatibility_date ? { compatibilityDate: wrangler.compatibility_date } : {}),
      ...(wrangler.compatibility_flags ? { compatibilityFlags: wrangler.compatibility_flags } : {}),
      ...(wrangler['x-declared'] ? { declared: wrangler['x-declared'] } : {}),
      warnings: pkg.description === 'WARN' ? ['a build warning'] : [],
    })
  }
}

export default {
  fetch() {
    return new Response('builder stand-in: see Builder', { status: 404 })
  },
}

function success(worker, rest = {}) {
  return { ok: true, worker, files: [], assets: [], dependencies: {}, warnings: [], cached: false, ...rest }
}

function failure(kind, errors, limit) {
  return { ok: false, kind, errors, ...(limit ? { limit } : {}) }
}

function text(content) {
  return typeof content === 'string' ? content : new TextDecoder().decode(content)
}

function json(files, name) {
  const file = files.find(([path]) => path === name)
  return file ? JSON.parse(file[1]) : undefined
}

function summary(request) {
  const source =
    'zip' in request.source ? { zip: request.source.zip.byteLength } : { files: Object.keys(request.source.files) }
  return {
    source,
    entry: request.entry ?? null,
    registry: request.registry,
    limits: request.limits,
    cacheScope: request.cacheScope ?? null,
  }
}
