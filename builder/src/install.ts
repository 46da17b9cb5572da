import { installDependencies, type InMemoryFileSystem } from '@cloudflare/worker-bundler'
import { BuildFailed } from './failure'
import type { Versions } from './dependencies'

/**
 * Installs exactly `versions` into the file system's node_modules/ with worker-bundler's installer.
 * It installs what package.json lists, so it is handed a package.json that lists every package at
 * its exact version: all start before any transitive install, and the installer takes one version
 * per name, so nothing else is chosen. The project's own package.json is put back afterwards.
 * Returns packages the installer added beyond `versions` (a lockfile that missed one).
 */
export async function installExactly(
  fileSystem: InMemoryFileSystem,
  versions: Versions,
  registry: string,
): Promise<Versions> {
  if (versions.size === 0) return new Map()
  const original = fileSystem.read('package.json')
  fileSystem.write('package.json', JSON.stringify({ dependencies: Object.fromEntries(versions) }))
  let result: Awaited<ReturnType<typeof installDependencies>>
  try {
    result = await installDependencies(fileSystem, { registry })
  } finally {
    if (original === null) fileSystem.delete('package.json')
    else fileSystem.write('package.json', original)
  }
  // A package that failed to install would make its imports external: a Worker that fails at
  // runtime. worker-bundler only warns; here it is an error.
  if (result.warnings.length > 0) {
    throw new BuildFailed(
      'user',
      result.warnings.map((warning) => ({ message: warning, ...packageOf(warning) })),
    )
  }
  const extra: Versions = new Map()
  for (const installed of result.installed) {
    const at = installed.lastIndexOf('@')
    const name = installed.slice(0, at)
    if (!versions.has(name)) extra.set(name, installed.slice(at + 1))
  }
  return extra
}

/** The package a worker-bundler install warning is about ("Failed to install NAME: …" and the like). */
function packageOf(warning: string): { package?: string } {
  const match =
    /^Failed to install (\S+?):/.exec(warning) ??
    /^Could not resolve version for (@?[^@\s]+)@/.exec(warning) ??
    /^Version \S+ not found for (\S+)$/.exec(warning)
  return match?.[1] ? { package: match[1] } : {}
}
