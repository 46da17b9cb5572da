import { looseObject, optional, record, string, unknown } from 'valibot'
import type { BuildLimits } from '../../src/deploy/build'
import { readCapped } from './capped-body'
import { BuildFailed } from './failure'
import { checkPackageName } from './package-name'
import { parseDocument, plainObject } from './schema'
import { errorMessage } from '../../src/lib/errors'

/** What a build needs of a packument: its dist-tags, and per version its dependencies and tarball. */
export interface Packument {
  distTags: Record<string, string>
  versions: Map<string, PublishedVersion>
}

/** A version as the build uses it, or why its manifest is off npm's shape (said when it is chosen). */
export type PublishedVersion =
  { dependencies: Record<string, string>; tarball: string | undefined } | { malformed: string }

/**
 * One build's view of the npm registry. Each packument is fetched once per build, read with a byte
 * cap (limits.maxPackumentBytes), parsed once, and kept only in the slim form above.
 */
export class Registry {
  private readonly packuments = new Map<string, Promise<Packument>>()

  constructor(
    readonly url: string,
    private readonly limits: BuildLimits,
  ) {}

  packument(name: string): Promise<Packument> {
    let packument = this.packuments.get(name)
    if (!packument) {
      packument = this.fetchPackument(name)
      this.packuments.set(name, packument)
    }
    return packument
  }

  /** A package's URL on the registry: scoped names keep "@" and encode their "/", as npm does. */
  packageUrl(name: string): string {
    checkPackageName(name, 'npm package')
    const path = name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name)
    return `${this.url.replace(/\/+$/, '')}/${path}`
  }

  /**
   * A tarball URL from a packument, which is data from outside: only a URL on the registry's own
   * origin is fetched (npm's and other registries serve tarballs from where they serve metadata).
   */
  tarballUrl(id: string, url: string): string {
    const registry = new URL(this.url)
    const tarball = URL.canParse(url, registry.href) ? new URL(url, registry) : undefined
    if (tarball?.origin !== registry.origin) {
      throw BuildFailed.user(`The npm registry's metadata for ${id} names a tarball outside the registry.`)
    }
    return tarball.href
  }

  private async fetchPackument(name: string): Promise<Packument> {
    let response: Response
    try {
      response = await fetch(this.packageUrl(name), {
        headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' },
      })
    } catch (error) {
      throw unreachable(name, error)
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
    const max = this.limits.maxPackumentBytes
    const body = await readCapped(response, max, () => {
      throw BuildFailed.limit(
        'maxPackumentBytes',
        `The npm registry's metadata for ${name} is over ${max} bytes, more than a build may read for one package.`,
      )
    })
    let parsed: unknown
    try {
      parsed = JSON.parse(new TextDecoder().decode(body))
    } catch {
      throw registryFault(name, `The npm registry sent invalid JSON for ${name}.`)
    }
    return readPackument(name, parsed)
  }
}

// What a build reads of a packument (npm's "abbreviated" or full form). The registry's answer off
// this shape is not the tenant's fault: an internal failure, as the registry's other errors are.
const PackumentSchema = plainObject(
  looseObject({
    'dist-tags': optional(
      plainObject(record(string(), string('must be a version.')), 'must be an object of versions.'),
      {},
    ),
    versions: optional(plainObject(record(string(), unknown()), 'must be an object.'), {}),
  }),
  'the answer must be an object.',
)

// Read per version, and only for the version chosen: a packument holds every version ever
// published, and an old one off the shape must not stop a build that does not install it.
const VersionSchema = plainObject(
  looseObject({
    dependencies: optional(
      plainObject(record(string(), string('must be a version range.')), 'must be an object of version ranges.'),
      {},
    ),
    dist: optional(plainObject(looseObject({ tarball: optional(string('must be a URL.')) }), 'must be an object.'), {}),
  }),
  'must be an object.',
)

/** The registry's metadata for `name`, in the slim form a build keeps. */
export function readPackument(name: string, raw: unknown): Packument {
  const what = `The npm registry's metadata for ${name}`
  const fail = (message: string) => registryFault(name, message)
  const document = parseDocument(PackumentSchema, raw, what, fail)
  const versions = new Map<string, PublishedVersion>()
  for (const [version, manifest] of Object.entries(document.versions)) {
    try {
      const { dependencies, dist } = parseDocument(VersionSchema, manifest, what, fail, ['versions', version])
      versions.set(version, { dependencies, tarball: dist.tarball })
    } catch (error) {
      if (!(error instanceof BuildFailed)) throw error
      versions.set(version, { malformed: error.message })
    }
  }
  return { distTags: document['dist-tags'], versions }
}

/** The registry answered something a build cannot use: not the tenant's fault. */
export function registryFault(name: string, message: string): BuildFailed {
  return new BuildFailed('internal', [{ message, package: name }])
}

function unreachable(name: string, error: unknown): BuildFailed {
  return new BuildFailed('internal', [
    {
      message: `The npm registry could not be reached for ${name}: ${errorMessage(error)}`,
      package: name,
    },
  ])
}
