import { PlatformError } from '../core/errors'
import { truncate } from '../lib/format'
import { canonicalHost, parseIPv4 } from '../lib/ip'
import type { DomainSettings } from '../core/domain-config'

/**
 * The top-level domain RFC 6761 reserves for testing: no real hostname ends in it, so without a
 * SaaS zone (development) its names are custom domains verified at once, and with one they are refused.
 */
export const TEST_TLD = 'test'

/** What decides whether a hostname may be a tenant's custom domain. */
export interface HostnameRules {
  /** Hosts the platform itself answers at (PLATFORM_HOSTNAMES, and the host a request came in on). */
  platformHosts: readonly string[]
  /** USER_WORKERS_DOMAIN: it and its subdomains are workers' own addresses. */
  userWorkersDomain: string | undefined
  /** A SaaS zone is configured: real hostnames through Cloudflare for SaaS, and no `.test`. */
  saasZone: boolean
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/
const MAX_HOSTNAME_LENGTH = 253

/**
 * The hostname as stored and matched: lowercase, no trailing dot, internationalised labels in
 * punycode (as `new URL()` writes them, the form a request's Host arrives in); or a 400 naming the
 * rule it breaks.
 */
export function checkHostname(input: string, rules: HostnameRules): string {
  const typed = input.trim().toLowerCase().replace(/\.$/, '')
  const refuse = (rule: string) =>
    new PlatformError('invalid_domain', `"${truncate(typed || input, 80)}" cannot be a custom domain: ${rule}`)
  if (typed === '') throw new PlatformError('invalid_domain', 'Give the hostname to add, like shop.example.com.')
  if (typed.includes('*')) throw refuse('wildcards are not supported, add each hostname.')
  if (typed.startsWith('[') || parseIPv4(typed) !== undefined) throw refuse('an IP address is not a hostname.')
  if (/[/:@?#\s]/.test(typed)) throw refuse('give the hostname alone, without a scheme, port or path.')
  const hostname = canonicalHost(typed)
  if (hostname === undefined || !/^[a-z0-9.-]+$/.test(hostname)) {
    throw refuse('it is not a valid hostname.')
  }
  if (parseIPv4(hostname) !== undefined) throw refuse('an IP address is not a hostname.')
  const labels = hostname.split('.')
  if (hostname.length > MAX_HOSTNAME_LENGTH || !labels.every((label) => LABEL.test(label))) {
    throw refuse('each label is 1–63 letters, digits or hyphens, and the whole at most 253 characters.')
  }
  if (labels.length < 2) throw refuse('a custom domain has at least two labels, like example.com.')
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) throw refuse('localhost is this machine.')
  if (isUnder(hostname, rules.userWorkersDomain)) {
    throw refuse(`${rules.userWorkersDomain} and its subdomains are workers' own addresses.`)
  }
  if (rules.platformHosts.some((host) => isUnder(hostname, host))) throw refuse('it is the platform’s own host.')
  const testName = labels.at(-1) === TEST_TLD
  if (testName && rules.saasZone) throw refuse('.test names are for development, without a SaaS zone.')
  if (!testName && !rules.saasZone) {
    throw refuse(
      'this platform has no SaaS zone (CLOUDFLARE_ZONE_ID), so it serves no real custom domains; in development, use a name under .test.',
    )
  }
  return hostname
}

/** Whether `hostname` is `domain` or one of its subdomains. */
export function isUnder(hostname: string, domain: string | undefined): boolean {
  return domain !== undefined && (hostname === domain || hostname.endsWith(`.${domain}`))
}

/** Whether a hostname is a development one (`.test`), served at once without Cloudflare. */
export function isTestHostname(hostname: string): boolean {
  return hostname.endsWith(`.${TEST_TLD}`)
}

/**
 * Whether a request's host is a tenant's hostname, to look up (dispatch): never the platform's own
 * (PLATFORM_HOSTNAMES, USER_WORKERS_DOMAIN); with a SaaS zone, every other host but this machine's;
 * without one, `.test` names only (development), so `npm run dev` serves the platform at any other host.
 */
export function isCustomHost(
  hostname: string,
  settings: Pick<DomainSettings, 'zone' | 'platformHostnames'>,
  userWorkersDomain: string | undefined,
): boolean {
  if (settings.platformHostnames.some((host) => isUnder(hostname, host)) || hostname === userWorkersDomain) return false
  if (!settings.zone) return isTestHostname(hostname)
  const loopback = hostname === 'localhost' || hostname.endsWith('.localhost') || hostname.startsWith('[')
  return !loopback && parseIPv4(hostname) === undefined
}
