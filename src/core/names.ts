import { truncate } from '../lib/format'
import { PlatformError } from './errors'

/** Lowercase letters and digits in groups joined by single hyphens, 1–63 characters (a DNS label). */
const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
export const MAX_NAME_LENGTH = 63
/** The same rule for a browser's `pattern` attribute, which matches the whole value. */
export const NAME_PATTERN = '[a-z0-9]+(-[a-z0-9]+)*'

export const NAME_RULES = `Use 1–${MAX_NAME_LENGTH} lowercase letters, digits and single hyphens, starting and ending with a letter or digit.`

export function isValidName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME.test(name)
}

/** Returns the name when it is valid; every storage key and API path is built from a checked name. */
export function assertValidName(name: string): string {
  if (!isValidName(name)) {
    const message = name === '' ? 'Give the worker a name.' : `"${truncate(name, 70)}" is not a valid worker name.`
    throw new PlatformError('invalid_name', `${message} ${NAME_RULES}`)
  }
  return name
}

/**
 * Names the platform keeps for itself unless RESERVED_NAMES says otherwise: under host routing
 * `<name>.<domain>` must never be a tenant where the platform (or its operator) lives.
 */
export const DEFAULT_RESERVED_NAMES: readonly string[] = [
  'www',
  'api',
  'admin',
  'app',
  'dashboard',
  'console',
  'static',
  'assets',
  'cdn',
  'docs',
  'help',
  'support',
  'status',
  'mail',
  'login',
  'auth',
  'account',
  'platform',
  'upload',
  'workers',
  'user-workers',
]

/**
 * Returns the name when a deploy may use it: valid, and not reserved by the platform. Only deploys
 * are refused, so a worker created before its name became reserved can still be deleted.
 */
export function assertDeployableName(name: string, reserved: ReadonlySet<string>): string {
  assertValidName(name)
  if (reserved.has(name)) {
    throw new PlatformError(
      'invalid_name',
      `"${name}" is reserved by the platform; choose another name. (A worker already under this name can still be deleted.)`,
    )
  }
  return name
}
