import type { BuildLimits } from '../../src/deploy/build'
import { readCapped } from './capped-body'
import { BuildFailed } from './failure'
import { checkPackageName } from './package-name'
import { errorMessage } from '../../src/lib/errors'

/** What a build needs of a packument: its dist-tags, and per version its dependencies and tarball. */
export interface Packument {
  distTags: Record<string, string>
  versions: Map<string, PublishedVersion>
}

export interface PublishedVersion {
  dependencies: Record<string, string>
  tarball: string | undefined
}

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
      throw new BuildFailed('internal', [{ message: `The npm registry sent invalid JSON for ${name}.`, package: name }])
    }
    return slim(parsed)
  }
}

function slim(raw: unknown): Packument {
  const document = isObject(raw) ? raw : {}
  const tags = isObject(document['dist-tags']) ? document['dist-tags'] : {}
  const distTags = onlyStrings(tags)
  const versions = new Map<string, PublishedVersion>()
  for (const [version, manifest] of Object.entries(isObject(document.versions) ? document.versions : {})) {
    if (!isObject(manifest)) continue
    const dependencies = isObject(manifest.dependencies) ? manifest.dependencies : {}
    const dist = isObject(manifest.dist) ? manifest.dist : {}
    versions.set(version, {
      dependencies: onlyStrings(dependencies),
      tarball: typeof dist.tarball === 'string' ? dist.tarball : undefined,
    })
  }
  return { distTags, versions }
}

function onlyStrings(record: Record<string, unknown>): Record<string, string> {
  const strings: Record<string, string> = {}
  for (const [key, value] of Object.entries(record)) if (typeof value === 'string') strings[key] = value
  return strings
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function unreachable(name: string, error: unknown): BuildFailed {
  return new BuildFailed('internal', [
    {
      message: `The npm registry could not be reached for ${name}: ${errorMessage(error)}`,
      package: name,
    },
  ])
}
