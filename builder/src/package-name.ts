import type { BuildError } from '../../src/deploy/build'
import { BuildFailed } from './failure'

// npm's rules for a package name: URL-safe characters only, an optional @scope/, no leading "." or
// "_", at most 214 characters. They keep a name from naming a path outside node_modules/ or another
// URL on the registry host. Capitals are allowed after the scope, as npm allows them in packages
// published before it forbade them for new ones (JSONStream, a dependency of many tools).
const PACKAGE_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-zA-Z0-9-~][a-zA-Z0-9-._~]*$/
const MAX_LENGTH = 214

export function isValidPackageName(name: string): boolean {
  return name.length <= MAX_LENGTH && PACKAGE_NAME.test(name)
}

/**
 * Throws unless `name` is a valid npm package name. `where` says where it was read (package.json,
 * package-lock.json, a package's registry metadata), for the tenant to find it.
 */
export function checkPackageName(name: string, where: string, details: Omit<BuildError, 'message'> = {}): void {
  if (isValidPackageName(name)) return
  const shown = name.length > 100 ? `${name.slice(0, 100)}…` : name
  throw BuildFailed.user(`${where}: "${shown}" is not a valid npm package name.`, details)
}
