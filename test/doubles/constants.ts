/** Shared by vitest.config.ts (bindings of the API double) and the dispatch-namespace tests. */
export const CLOUDFLARE_DOUBLE = {
  baseUrl: 'http://cloudflare-api.test/client/v4',
  token: 'cf-test-token-7d1f0c2a',
  accountId: 'test-account-0123',
  namespace: 'test-namespace',
} as const
