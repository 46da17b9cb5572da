import type { Loader, Plugin } from 'esbuild-wasm/lib/browser.js'
import { esbuild } from './esbuild'
import type { ProjectFiles } from './input'
import { isNodeBuiltin } from './node-builtins'

/** What the project's own modules import, read by esbuild itself, as the bundle will read them. */
export interface ImportScan {
  /** npm packages by name: import, export … from, import("…"), require("…"); type-only imports not. */
  packages: string[]
  /** The project's files the entries reach, entries included. */
  files: string[]
  /** Relative or absolute imports that name no file of the project. */
  missing: MissingImport[]
}

export interface MissingImport {
  specifier: string
  importer: string
  /** Where it points, from the project's root: "./build/server" in app/x.ts → "app/build/server". */
  path: string
}

const NAMESPACE = 'project'
/** How worker-bundler resolves a relative import: as written, then these extensions, then an index file. */
const EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mts', '.mjs']
const LOADERS: Record<string, Loader> = {
  ts: 'ts',
  mts: 'ts',
  cts: 'ts',
  tsx: 'tsx',
  jsx: 'jsx',
  js: 'js',
  mjs: 'js',
  cjs: 'js',
}

/**
 * Follows the imports from `entries` through the project's files with esbuild (a real parser,
 * linear in the input, whose size readSource has capped): text that only looks like an import (in
 * a string, a template, a comment) does not count, nor does a type-only import, and a test file no
 * entry reaches is never read. Packages stay unresolved: this runs before anything is installed.
 * A file esbuild cannot parse ends the scan with what it found; the bundle reports the error.
 */
export async function scanImports(files: ProjectFiles, entries: string[]): Promise<ImportScan> {
  const decoder = new TextDecoder()
  const packages = new Set<string>()
  const reached = new Set<string>()
  const missing = new Map<string, MissingImport>()
  const plugin: Plugin = {
    name: 'scan-imports',
    setup(build) {
      build.onResolve({ filter: /.*/ }, ({ path: specifier, importer, kind }) => {
        if (kind === 'entry-point') return { path: specifier, namespace: NAMESPACE }
        if (/^[./]/.test(specifier)) {
          const path = joinPath(importer, specifier)
          const found = [
            path,
            ...EXTENSIONS.map((ext) => path + ext),
            ...EXTENSIONS.map((ext) => `${path}/index${ext}`),
          ].find((candidate) => files.has(candidate))
          if (found) return { path: found, namespace: NAMESPACE }
          missing.set(`${importer}\0${specifier}`, { specifier, importer, path })
        } else if (isBare(specifier) && !isNodeBuiltin(specifier)) {
          packages.add(packageName(specifier))
        }
        return { path: specifier, external: true }
      })
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, ({ path }) => {
        reached.add(path)
        const loader = LOADERS[/\.([a-z]+)$/.exec(path)?.[1] ?? '']
        const content = files.get(path)
        // Only scripts import; any other file (JSON, text, wasm) is read as empty.
        return loader && content ? { contents: decoder.decode(content), loader } : { contents: '', loader: 'empty' }
      })
    },
  }
  try {
    await esbuild({
      entryPoints: entries,
      bundle: true,
      write: false,
      format: 'esm',
      outdir: 'scan',
      jsx: 'transform',
      logLevel: 'silent',
      plugins: [plugin],
    })
  } catch {
    // A syntax error: the bundle reports it with its file, line and column.
  }
  return { packages: [...packages].sort(), files: [...reached].sort(), missing: [...missing.values()] }
}

/** The npm packages one script imports (a single pasted file). */
export async function importedPackages(path: string, source: string): Promise<string[]> {
  return (await scanImports(new Map([[path, new TextEncoder().encode(source)]]), [path])).packages
}

/** `specifier` ("./a", "../b", "/c") from the folder of `importer`, as a path from the project's root. */
function joinPath(importer: string, specifier: string): string {
  const parts = specifier.startsWith('/') ? [] : importer.split('/').slice(0, -1)
  for (const part of specifier.split('/')) {
    if (part === '..') parts.pop()
    else if (part !== '.' && part !== '') parts.push(part)
  }
  return parts.join('/')
}

/** "hono/jsx" and "@scope/pkg/x", not "./a", "/a", "node:fs" or "https://…". */
function isBare(specifier: string): boolean {
  return specifier !== '' && !/^[./]/.test(specifier) && !/^[a-z][a-z0-9+.-]*:/i.test(specifier)
}

export function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/')
}
