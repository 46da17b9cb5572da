import type { InMemoryFileSystem } from '@cloudflare/worker-bundler'
import type { BuildLimits } from '../../src/deploy/build'
import { errorMessage } from '../../src/lib/errors'
import { ByteBudget } from './budget'
import { streamOf } from './capped-body'
import { BuildFailed } from './failure'
import { checkPackageName } from './package-name'
import { extractTarball } from './tarball'

/** Tarballs downloading at once: a Worker has six connections open at a time anyway. */
const CONCURRENT_DOWNLOADS = 6

export interface InstallPlan {
  /** name → exact version */
  versions: Map<string, string>
  /** name → tarball URL */
  tarballs: Map<string, string>
}

/**
 * Unpacks every package of the plan (already resolved and counted) into node_modules/, text files
 * only, as worker-bundler's installer did. Decompressed bytes are counted as they are produced, per
 * package (limits.maxPackageBytes) and for the whole build (limits.maxInstallBytes); passing either
 * stops the install at once. Every package gets a package.json, so worker-bundler's own installer
 * (run again by createWorker) finds everything present and fetches nothing.
 */
export async function installPackages(
  fileSystem: InMemoryFileSystem,
  plan: InstallPlan,
  limits: BuildLimits,
): Promise<void> {
  const total = new ByteBudget(limits.maxInstallBytes, () => {
    throw BuildFailed.limit(
      'maxInstallBytes',
      `The project's npm packages unpack to over ${limits.maxInstallBytes} bytes together.`,
    )
  })
  const queue = [...plan.versions].sort(([a], [b]) => a.localeCompare(b))
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [name, version] = next
      await installPackage(fileSystem, { name, version, tarball: plan.tarballs.get(name) ?? '' }, limits, total)
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_DOWNLOADS, queue.length) }, worker))
}

async function installPackage(
  fileSystem: InMemoryFileSystem,
  pkg: { name: string; version: string; tarball: string },
  limits: BuildLimits,
  total: ByteBudget,
): Promise<void> {
  // Resolution checked every name; checked again here, where one becomes a path.
  checkPackageName(pkg.name, 'npm package')
  const id = `${pkg.name}@${pkg.version}`
  const tooLarge = (): never => {
    throw BuildFailed.limit(
      'maxPackageBytes',
      `${id} unpacks to over ${limits.maxPackageBytes} bytes, more than one npm package may.`,
    )
  }
  let response: Response
  try {
    response = await fetch(pkg.tarball)
  } catch (error) {
    throw failed(id, pkg.name, `the registry could not be reached (${errorMessage(error)})`, 'internal')
  }
  if (!response.ok) {
    await response.body?.cancel()
    throw failed(id, pkg.name, `the registry answered ${response.status} for its tarball`)
  }
  let files: Map<string, Uint8Array>
  try {
    files = await extractTarball(
      streamOf(response),
      {
        compressed: new ByteBudget(limits.maxPackageBytes, tooLarge),
        decompressed: [new ByteBudget(limits.maxPackageBytes, tooLarge), total],
      },
      isTextFile,
    )
  } catch (error) {
    if (error instanceof BuildFailed) throw error
    throw failed(id, pkg.name, `its tarball could not be unpacked (${errorMessage(error)})`)
  }
  const decoder = new TextDecoder()
  for (const [path, content] of files) fileSystem.write(`node_modules/${pkg.name}/${path}`, decoder.decode(content))
  if (!files.has('package.json')) {
    fileSystem.write(`node_modules/${pkg.name}/package.json`, JSON.stringify({ name: pkg.name, version: pkg.version }))
  }
}

function failed(id: string, name: string, why: string, kind: 'user' | 'internal' = 'user'): BuildFailed {
  return new BuildFailed(kind, [{ message: `Failed to install ${id}: ${why}.`, package: name }])
}

const TEXT_EXTENSIONS = /\.(?:[cm]?js|[cm]?ts|tsx|jsx|json|md|txt|css|html|ya?ml|toml|xml|svg|map|py)$/i
const TEXT_NAMES = /^(?:license|readme|changelog|package\.json|tsconfig\.json|\.npmignore|\.gitignore)/i

/** The files worker-bundler's installer kept (it bundles text only); other files are skipped unread. */
function isTextFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1)
  return TEXT_NAMES.test(name) || TEXT_EXTENSIONS.test(path)
}
