import type { InMemoryFileSystem } from '@cloudflare/worker-bundler'
import type { Plugin } from 'esbuild-wasm/lib/browser.js'
import { looseObject, optional, safeParse, unknown } from 'valibot'
import { packageName } from './imports'

// worker-bundler resolves "pkg/sub" of a package without an "exports" map to the package's main
// (react-router-dom/server became react-router-dom itself). esbuild, which wrangler bundles with,
// reads such a subpath as a path inside the package; this plugin, run before worker-bundler's
// resolver, does the same. Packages with "exports" are left to worker-bundler, which honours them.

/** esbuild's default resolveExtensions, in its order. */
const EXTENSIONS = ['.tsx', '.ts', '.jsx', '.js', '.css', '.json']
/** esbuild's main fields for the browser platform, wrangler's default. */
const MAIN_FIELDS = ['browser', 'module', 'main'] as const

/** What is read of a package.json from the registry's tarball: untrusted, so each field is checked. */
const field = optional(unknown())
const Manifest = looseObject({ exports: field, browser: field, module: field, main: field })

/** worker-bundler's onLoad reads this namespace from its file system. */
const WORKER_BUNDLER_NAMESPACE = 'virtual'

export function packageSubpaths(files: InMemoryFileSystem): Plugin {
  return {
    name: 'package-subpaths',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, ({ path: specifier, kind }) => {
        if (kind === 'entry-point' || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) return undefined
        const name = packageName(specifier)
        const subpath = specifier.slice(name.length + 1)
        if (subpath === '') return undefined
        const manifest = readManifest(files, `node_modules/${name}/package.json`)
        if (!manifest || (manifest.exports !== undefined && manifest.exports !== null)) return undefined
        const found = resolvePath(files, `node_modules/${name}/${subpath}`)
        return found === undefined ? undefined : { path: found, namespace: WORKER_BUNDLER_NAMESPACE }
      })
    },
  }
}

/** As esbuild resolves a path: the file, the file with an extension, else the folder. */
function resolvePath(files: InMemoryFileSystem, path: string): string | undefined {
  return resolveFile(files, path) ?? resolveFolder(files, path)
}

function resolveFile(files: InMemoryFileSystem, path: string): string | undefined {
  return [path, ...EXTENSIONS.map((extension) => path + extension)].find((candidate) => files.read(candidate) !== null)
}

/** A folder: its package.json's main fields (each as a path), else its index file. */
function resolveFolder(files: InMemoryFileSystem, folder: string): string | undefined {
  const manifest = readManifest(files, `${folder}/package.json`)
  for (const field of MAIN_FIELDS) {
    const target = manifest?.[field]
    if (typeof target !== 'string' || target === '') continue
    const path = joinPath(folder, target)
    const found = resolveFile(files, path) ?? resolveIndex(files, path)
    if (found !== undefined) return found
  }
  return resolveIndex(files, folder)
}

function resolveIndex(files: InMemoryFileSystem, folder: string): string | undefined {
  return EXTENSIONS.map((extension) => `${folder}/index${extension}`).find((path) => files.read(path) !== null)
}

function readManifest(files: InMemoryFileSystem, path: string) {
  const text = files.read(path)
  if (text === null) return undefined
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return undefined
  }
  const result = safeParse(Manifest, json)
  return result.success ? result.output : undefined
}

/** `target` ("./lib/x.js", "../dist/x.js") from `folder`. */
function joinPath(folder: string, target: string): string {
  const parts = folder.split('/')
  for (const part of target.split('/')) {
    if (part === '..') parts.pop()
    else if (part !== '.' && part !== '') parts.push(part)
  }
  return parts.join('/')
}
