import type { ImportScan } from './imports'
import { packageName } from './imports'
import type { PackageExtras } from './package-extras'
import type { ProjectConfig } from './project'

/** The npm packages a build resolves and installs, and where they came from. */
export interface WantedPackages {
  /** name → version range, as package.json would declare them. */
  declared: Record<string, string>
  /** Without a package.json: the names read from the imports, each at "latest" (see inferredWarning). */
  inferred: string[]
}

/**
 * package.json's dependencies, and those of its devDependencies the Worker's modules import
 * (wrangler bundles whatever is imported, whichever list names it; a test runner no entry reaches
 * is left out). Without a package.json (a single pasted file), the packages the modules import, at
 * their latest version; the JSX runtime's package counts as imported.
 */
export function wantedPackages(config: ProjectConfig, extras: PackageExtras, scan: ImportScan): WantedPackages {
  if (config.packageJson) {
    const declared = { ...config.packageJson.dependencies }
    const dev = extras.devDependencies ?? {}
    for (const name of scan.packages) {
      const range = dev[name]
      if (!Object.hasOwn(declared, name) && Object.hasOwn(dev, name) && range !== undefined) declared[name] = range
    }
    return { declared, inferred: [] }
  }
  const names = new Set(scan.packages)
  const latest = Object.fromEntries([...names].map((name) => [name, 'latest']))
  const runtime = jsxImportSource(config, latest).jsxImportSource
  if (runtime && scan.files.some((path) => /\.[jt]sx$/.test(path))) names.add(packageName(runtime))
  const inferred = [...names].sort()
  return { declared: Object.fromEntries(inferred.map((name) => [name, 'latest'])), inferred }
}

/** tsconfig's jsxImportSource, else hono/jsx for a project that uses hono (esbuild's default is react). */
export function jsxImportSource(config: ProjectConfig, declared: Record<string, string>): { jsxImportSource?: string } {
  if (config.jsxImportSource) return { jsxImportSource: config.jsxImportSource }
  return 'hono' in declared ? { jsxImportSource: 'hono/jsx' } : {}
}

/** Inferred packages float with every build: the warning names what was installed and how to pin it. */
export function inferredWarning(inferred: string[], versions: Map<string, string>): string[] {
  if (inferred.length === 0) return []
  const installed = inferred.map((name) => `${name}@${versions.get(name) ?? 'latest'}`).join(', ')
  return [`Installed ${installed}, inferred from imports: add a package.json to pin versions.`]
}
