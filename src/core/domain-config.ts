import { clean, ConfigError, parsePositiveInt, parseUrl } from './config-values'

/** Custom domains (docs/custom-domains.md): Cloudflare for SaaS on one zone, whatever backend runs tenants. */
export interface DomainSettings {
  /** The SaaS zone and a token for its Custom Hostnames API; absent: only `.test` names, verified at once (development). */
  zone: { baseUrl: string; zoneId: string; apiToken: string } | undefined
  /** What tenants point their hostname at (a CNAME): the zone's fallback origin. */
  cnameTarget: string | undefined
  /** The hosts the platform itself is reached at: never a tenant's, and served by the platform. */
  platformHostnames: string[]
  maxPerWorker: number
  /** Where the platform looks up a claim's ownership TXT record (DNS over HTTPS, JSON). */
  dnsOverHttpsUrl: string
}

export const DOMAIN_DEFAULTS = {
  maxPerWorker: 10,
  dnsOverHttpsUrl: 'https://cloudflare-dns.com/dns-query',
} as const

export type DomainVars = Partial<
  Record<
    | 'CLOUDFLARE_ZONE_ID'
    | 'CLOUDFLARE_ZONE_API_TOKEN'
    | 'CLOUDFLARE_API_TOKEN'
    | 'CLOUDFLARE_API_BASE_URL'
    | 'CUSTOM_DOMAIN_TARGET'
    | 'PLATFORM_HOSTNAMES'
    | 'MAX_DOMAINS_PER_WORKER'
    | 'DNS_OVER_HTTPS_URL',
    string
  >
>

const HOSTNAME = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/

export function parseDomainSettings(env: DomainVars, apiBaseUrl: string): DomainSettings {
  const zoneId = clean(env.CLOUDFLARE_ZONE_ID)
  const platformHostnames = (clean(env.PLATFORM_HOSTNAMES) ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean)
  for (const host of platformHostnames) {
    if (!HOSTNAME.test(host)) throw new ConfigError(`PLATFORM_HOSTNAMES lists "${host}", which is not a hostname.`)
  }
  const cnameTarget = clean(env.CUSTOM_DOMAIN_TARGET)?.toLowerCase()
  if (cnameTarget !== undefined && !HOSTNAME.test(cnameTarget)) {
    throw new ConfigError(
      `CUSTOM_DOMAIN_TARGET must be a hostname such as "customers.example.com"; got "${cnameTarget}".`,
    )
  }
  const settings = {
    cnameTarget,
    platformHostnames,
    maxPerWorker:
      parsePositiveInt('MAX_DOMAINS_PER_WORKER', env.MAX_DOMAINS_PER_WORKER) ?? DOMAIN_DEFAULTS.maxPerWorker,
    dnsOverHttpsUrl: parseUrl('DNS_OVER_HTTPS_URL', clean(env.DNS_OVER_HTTPS_URL) ?? DOMAIN_DEFAULTS.dnsOverHttpsUrl),
  }
  if (zoneId === undefined) return { ...settings, zone: undefined }
  const apiToken = clean(env.CLOUDFLARE_ZONE_API_TOKEN) ?? clean(env.CLOUDFLARE_API_TOKEN)
  if (!apiToken) {
    throw new ConfigError(
      'CLOUDFLARE_ZONE_ID needs a token that may edit its custom hostnames ("SSL and Certificates Write"): set CLOUDFLARE_ZONE_API_TOKEN (or CLOUDFLARE_API_TOKEN).',
    )
  }
  // With custom hostnames every host is someone's: the platform must know which are its own.
  if (platformHostnames.length === 0) {
    throw new ConfigError('CLOUDFLARE_ZONE_ID needs PLATFORM_HOSTNAMES: the hosts the platform itself is reached at.')
  }
  if (cnameTarget === undefined) {
    throw new ConfigError('CLOUDFLARE_ZONE_ID needs CUSTOM_DOMAIN_TARGET: the hostname tenants point a CNAME at.')
  }
  return { ...settings, zone: { baseUrl: apiBaseUrl, zoneId, apiToken } }
}
