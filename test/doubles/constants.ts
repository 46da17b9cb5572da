/** Shared by vitest.config.ts (bindings of the API double) and the dispatch-namespace tests. */
export const CLOUDFLARE_DOUBLE = {
  baseUrl: 'http://cloudflare-api.test/client/v4',
  token: 'cf-test-token-7d1f0c2a',
  accountId: 'test-account-0123',
  namespace: 'test-namespace',
} as const

/** The SaaS zone of the custom-domain tests (test/domains/zone/, vitest.config.ts): the API double's, and its resolver. */
export const SAAS_ZONE = {
  CLOUDFLARE_ZONE_ID: 'zone-0123',
  CLOUDFLARE_ZONE_API_TOKEN: CLOUDFLARE_DOUBLE.token,
  CLOUDFLARE_API_BASE_URL: CLOUDFLARE_DOUBLE.baseUrl,
  CUSTOM_DOMAIN_TARGET: 'customers.platform.example',
  PLATFORM_HOSTNAMES: 'platform.test,platform.example',
  DNS_OVER_HTTPS_URL: 'http://cloudflare-api.test/dns-query',
} as const
