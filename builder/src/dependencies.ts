import semver from 'semver'
import { boolean, looseObject, optional, record, string, type ObjectEntries } from 'valibot'
import type { BuildLimits } from '../../src/deploy/build'
import { BuildFailed } from './failure'
import { checkPackageName } from './package-name'
import { registryFault, type Packument, type Registry } from './registry'
import { parseDocument, plainObject } from './schema'
import { errorMessage } from '../../src/lib/errors'

/** name → exact version: what a build installs, and part of its cache key. */
export type Versions = Map<string, string>

export interface Resolution {
  versions: Versions
  /** name → the tarball URL of its version in `versions`. */
  tarballs: Map<string, string>
  warnings: string[]
}

interface Wanted {
  name: string
  range: string
  wantedBy: string
}

/** Anything but a registry version (git, file:, URLs, workspace:, npm: aliases) cannot be installed here. */
export function checkDeclared(declared: Record<string, string>): void {
  for (const [name, range] of Object.entries(declared)) {
    checkPackageName(name, 'package.json', { file: 'package.json' })
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
 * metadata (no tarballs). The build installs flat (one version per name, the first one asked for),
 * so this resolves breadth first, the project's own dependencies first. Asking the registry every
 * time is what lets a newly published version for a range reach the next build.
 */
export function resolveFromRegistry(
  declared: Record<string, string>,
  registry: Registry,
  limits: BuildLimits,
): Promise<Resolution> {
  return resolveTree(
    Object.entries(declared).map(([name, range]) => ({ name, range, wantedBy: 'package.json' })),
    registry,
    limits,
  )
}

/**
 * Breadth first from `roots`, counting packages as it goes: a level that would pass
 * limits.maxDependencies is refused before any of its metadata is fetched.
 */
async function resolveTree(
  roots: Wanted[],
  registry: Registry,
  limits: BuildLimits,
  preferred: Versions = new Map(),
): Promise<Resolution> {
  const versions: Versions = new Map()
  const tarballs = new Map<string, string>()
  const warnings: string[] = []
  let level = roots
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
    const fetched = await Promise.all(
      fresh.map(async (wanted) => ({ ...wanted, packument: await registry.packument(wanted.name) })),
    )
    const next: Wanted[] = []
    for (const { name, range, wantedBy, packument } of fetched) {
      const version = pickVersion(range, packument, preferred.get(name))
      const published = version === undefined ? undefined : packument.versions.get(version)
      if (version === undefined || !published) {
        throw BuildFailed.user(`No version of ${name} matches "${range}" (wanted by ${wantedBy}).`, { package: name })
      }
      if ('malformed' in published) throw registryFault(name, published.malformed)
      if (!published.tarball) {
        throw BuildFailed.user(`The npm registry lists no tarball for ${name}@${version}.`, { package: name })
      }
      versions.set(name, version)
      tarballs.set(name, registry.tarballUrl(`${name}@${version}`, published.tarball))
      for (const [dependency, dependencyRange] of Object.entries(published.dependencies)) {
        // The registry's metadata is data from outside too: a name in it becomes a URL and a path.
        checkPackageName(dependency, `${name}@${version} (its registry metadata) depends on`, { package: name })
        next.push({ name: dependency, range: dependencyRange, wantedBy: `${name}@${version}` })
      }
    }
    for (const { name, range, wantedBy } of level) {
      const chosen = versions.get(name)
      if (chosen && !fresh.some((d) => d.name === name && d.range === range) && !satisfies(chosen, range)) {
        warnings.push(`${wantedBy} wants ${name}@${range}; ${chosen} is installed (one version per package).`)
      }
    }
    level = next
  }
  return { versions, tarballs, warnings }
}

/**
 * `preferred` when it is published and in range (a lockfile's dev entry), else "latest"/"*", an exact
 * version, a dist-tag, else the highest match (as npm and worker-bundler choose).
 */
function pickVersion(range: string, packument: Packument, preferred?: string): string | undefined {
  if (preferred !== undefined && packument.versions.has(preferred) && satisfies(preferred, range)) return preferred
  const tags = packument.distTags
  if (range === 'latest' || range === '*' || range === '')
    return Object.hasOwn(tags, 'latest') ? tags.latest : undefined
  if (packument.versions.has(range)) return range
  if (Object.hasOwn(tags, range)) return tags[range]
  return semver.maxSatisfying([...packument.versions.keys()], range) ?? undefined
}

function satisfies(version: string, range: string): boolean {
  return semver.validRange(range) ? semver.satisfies(version, range) : true
}

// What the builder reads of a package-lock.json. v2 and v3 list every installed package under
// "packages" (keyed by its folder: "" the project, "node_modules/a", "node_modules/a/node_modules/b");
// v1 has only "dependencies" (keyed by name), which v2 also keeps for npm 6 and which is read
// only without "packages".
const MUST_BE_OBJECT = 'must be an object.'
const version = optional(string('must be a string.'))
const flag = optional(boolean('must be true or false.'))

/** A map of entries, each an object with `fields` (and whatever else npm writes). */
function entries<E extends ObjectEntries>(fields: E) {
  return optional(plainObject(record(string(), plainObject(looseObject(fields), MUST_BE_OBJECT)), MUST_BE_OBJECT))
}

const LockfileV2 = plainObject(
  looseObject({ packages: entries({ version, dev: flag, link: flag }) }),
  'the file must hold an object.',
)
const LockfileV1 = looseObject({ dependencies: entries({ version, dev: flag }) })

/**
 * The versions a package-lock.json (v1, v2 or v3) pins: production packages, and the dev packages
 * `declared` names (devDependencies the project imports); what those need is taken at the versions
 * the lockfile's other dev entries pin, when they satisfy the ranges. Nested copies
 * (node_modules/a/node_modules/b) cannot be honoured by a flat install: they are left out, with a
 * warning. Every dependency package.json declares must be in the lockfile and satisfy its range.
 */
export async function resolveFromLockfile(
  declared: Record<string, string>,
  lockText: string,
  registry: Registry,
  limits: BuildLimits,
): Promise<Resolution> {
  let json: unknown
  try {
    json = JSON.parse(lockText)
  } catch (error) {
    throw BuildFailed.user(`package-lock.json is not valid JSON: ${errorMessage(error)}`, {
      file: 'package-lock.json',
    })
  }
  const fail = (message: string) => BuildFailed.user(message, { file: 'package-lock.json' })
  const { packages } = parseDocument(LockfileV2, json, 'package-lock.json', fail)
  const versions: Versions = new Map()
  const dev: Versions = new Map()
  const warnings: string[] = []
  if (packages) {
    for (const [key, entry] of Object.entries(packages)) {
      if (key === '' || entry.link || !entry.version) continue
      const name = key.replace(/^node_modules\//, '')
      if (!key.startsWith('node_modules/') || name.includes('/node_modules/')) {
        if (!entry.dev) {
          warnings.push(`package-lock.json: ${key} is a nested copy; the flat install uses the top-level version.`)
        }
        continue
      }
      ;(entry.dev ? dev : versions).set(name, entry.version)
    }
  } else {
    const { dependencies } = parseDocument(LockfileV1, json, 'package-lock.json', fail)
    for (const [name, entry] of Object.entries(dependencies ?? {})) {
      if (entry.version) (entry.dev ? dev : versions).set(name, entry.version)
    }
  }
  for (const name of Object.keys(declared)) {
    const pinned = versions.has(name) ? undefined : dev.get(name)
    if (pinned !== undefined) versions.set(name, pinned)
  }
  for (const name of versions.keys()) {
    checkPackageName(name, 'package-lock.json', { file: 'package-lock.json' })
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
  // The pinned versions come first; what they depend on and the lockfile misses is resolved by
  // range, counted against the same limit.
  const roots = [...versions].map(([name, version]) => ({ name, range: version, wantedBy: 'package-lock.json' }))
  const tree = await resolveTree(roots, registry, limits, dev)
  for (const [name, version] of tree.versions) {
    const locked = versions.get(name) ?? (dev.get(name) === version ? version : undefined)
    if (locked === undefined) warnings.push(`package-lock.json does not list ${name}; installed ${version}.`)
    else if (locked !== version)
      warnings.push(`package-lock.json pins ${name} to "${locked}", not a version; installed ${version}.`)
  }
  return { ...tree, warnings: [...warnings, ...tree.warnings] }
}
