import semver from 'semver'
import type { BuildLimits } from '../../src/platform/build'
import { BuildFailed } from './failure'

/** name → exact version: what a build installs, and part of its cache key. */
export type Versions = Map<string, string>

export interface Resolution {
  versions: Versions
  warnings: string[]
}

interface Packument {
  'dist-tags'?: Record<string, string>
  versions?: Record<string, { dependencies?: Record<string, string> }>
}

// npm's rules for a package name, which also keep it from naming a path outside node_modules/.
const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/

/** Anything but a registry version (git, file:, URLs, workspace:, npm: aliases) cannot be installed here. */
export function checkDeclared(declared: Record<string, string>): void {
  for (const [name, range] of Object.entries(declared)) {
    if (!PACKAGE_NAME.test(name)) {
      throw BuildFailed.user(`package.json: "${name}" is not a valid npm package name.`, { file: 'package.json' })
    }
    if (/^[a-z+]+:|\//i.test(range) || (!semver.validRange(range) && !/^[a-z][\w.-]*$/i.test(range))) {
      throw BuildFailed.user(
        `package.json: ${name}@${range}: only versions, ranges and dist-tags from the registry can be installed.`,
        { file: 'package.json', package: name },
      )
    }
  }
}

/**
 * The exact version of every package a project needs, transitive ones included, from the registry's
 * metadata (no tarballs). worker-bundler installs flat (one version per name, the first one asked
 * for), so this does too: breadth first, the project's own dependencies first. Asking the registry
 * every time is what lets a newly published version for a range reach the next build.
 */
export async function resolveFromRegistry(
  declared: Record<string, string>,
  registry: string,
  limits: BuildLimits,
): Promise<Resolution> {
  const versions: Versions = new Map()
  const warnings: string[] = []
  let level = Object.entries(declared).map(([name, range]) => ({ name, range, wantedBy: 'package.json' }))
  while (level.length > 0) {
    const fresh = level.filter(
      ({ name }, index) => !versions.has(name) && level.findIndex((d) => d.name === name) === index,
    )
    if (versions.size + fresh.length > limits.maxDependencies) {
      throw BuildFailed.limit(
        'maxDependencies',
        `The project needs over ${limits.maxDependencies} npm packages (transitive ones included).`,
      )
    }
    const packuments = await Promise.all(fresh.map(({ name }) => fetchPackument(name, registry)))
    const next: typeof level = []
    fresh.forEach(({ name, range, wantedBy }, index) => {
      const packument = packuments[index] as Packument
      const version = pickVersion(range, packument)
      if (!version) {
        throw BuildFailed.user(`No version of ${name} matches "${range}" (wanted by ${wantedBy}).`, { package: name })
      }
      versions.set(name, version)
      for (const [dependency, dependencyRange] of Object.entries(packument.versions?.[version]?.dependencies ?? {})) {
        next.push({ name: dependency, range: dependencyRange, wantedBy: `${name}@${version}` })
      }
    })
    for (const { name, range, wantedBy } of level) {
      const chosen = versions.get(name)
      if (chosen && !fresh.some((d) => d.name === name && d.range === range) && !satisfies(chosen, range)) {
        warnings.push(`${wantedBy} wants ${name}@${range}; ${chosen} is installed (one version per package).`)
      }
    }
    level = next
  }
  return { versions, warnings }
}

/** Same choice as worker-bundler's installer: "latest"/"*", an exact version, a dist-tag, else the highest match. */
function pickVersion(range: string, packument: Packument): string | undefined {
  const tags = packument['dist-tags'] ?? {}
  const published = Object.keys(packument.versions ?? {})
  if (range === 'latest' || range === '*' || range === '') return tags.latest
  if (published.includes(range)) return range
  if (tags[range]) return tags[range]
  return semver.maxSatisfying(published, range) ?? undefined
}

function satisfies(version: string, range: string): boolean {
  return semver.validRange(range) ? semver.satisfies(version, range) : true
}

async function fetchPackument(name: string, registry: string): Promise<Packument> {
  const url = `${registry.replace(/\/+$/, '')}/${name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : name}`
  let response: Response
  try {
    response = await fetch(url, {
      headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' },
    })
  } catch (error) {
    throw new BuildFailed('internal', [
      {
        message: `The npm registry could not be reached for ${name}: ${error instanceof Error ? error.message : String(error)}`,
        package: name,
      },
    ])
  }
  if (response.status === 404) {
    await response.body?.cancel()
    throw BuildFailed.user(`Package ${name} is not in the npm registry (check its name in package.json).`, {
      package: name,
    })
  }
  if (!response.ok) {
    await response.body?.cancel()
    throw new BuildFailed('internal', [
      { message: `The npm registry answered ${response.status} for ${name}.`, package: name },
    ])
  }
  return response.json<Packument>()
}

interface Lockfile {
  lockfileVersion?: number
  packages?: Record<string, { version?: string; dev?: boolean; link?: boolean }>
  dependencies?: Record<string, { version?: string; dev?: boolean }>
}

/**
 * The versions a package-lock.json (v1, v2 or v3) pins, production packages only. Nested copies
 * (node_modules/a/node_modules/b) cannot be honoured by a flat install: they are left out, with a
 * warning. Every dependency package.json declares must be in the lockfile and satisfy its range.
 */
export function resolveFromLockfile(
  declared: Record<string, string>,
  lockText: string,
  limits: BuildLimits,
): Resolution {
  let lock: Lockfile
  try {
    lock = JSON.parse(lockText) as Lockfile
  } catch (error) {
    throw BuildFailed.user(
      `package-lock.json is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      {
        file: 'package-lock.json',
      },
    )
  }
  const versions: Versions = new Map()
  const warnings: string[] = []
  if (lock.packages) {
    for (const [key, entry] of Object.entries(lock.packages)) {
      if (key === '' || entry.dev || entry.link || !entry.version) continue
      const name = key.replace(/^node_modules\//, '')
      if (!key.startsWith('node_modules/') || name.includes('/node_modules/')) {
        warnings.push(`package-lock.json: ${key} is a nested copy; the flat install uses the top-level version.`)
        continue
      }
      versions.set(name, entry.version)
    }
  } else {
    for (const [name, entry] of Object.entries(lock.dependencies ?? {})) {
      if (!entry.dev && entry.version) versions.set(name, entry.version)
    }
  }
  for (const name of versions.keys()) {
    if (!PACKAGE_NAME.test(name)) throw BuildFailed.user(`package-lock.json: "${name}" is not a valid package name.`)
  }
  for (const [name, range] of Object.entries(declared)) {
    const locked = versions.get(name)
    if (!locked || !satisfies(locked, range)) {
      throw BuildFailed.user(
        `package-lock.json is out of date: package.json wants ${name}@${range}, the lockfile has ${locked ?? 'nothing'}. Run npm install and send both files again.`,
        { file: 'package-lock.json', package: name },
      )
    }
  }
  if (versions.size > limits.maxDependencies) {
    throw BuildFailed.limit('maxDependencies', `The lockfile pins over ${limits.maxDependencies} npm packages.`)
  }
  return { versions, warnings }
}
