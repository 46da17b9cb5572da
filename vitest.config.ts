import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { CLOUDFLARE_DOUBLE } from './test/doubles/constants.ts'

// Everything runs inside workerd. The Worker under test gets the bindings of wrangler.jsonc; its
// outbound fetch() goes to a test double of the Cloudflare API (test/doubles/cloudflare-api.js),
// which the dispatch-namespace tests point CLOUDFLARE_API_BASE_URL at.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.jsonc' },
      miniflare: {
        outboundService: 'cloudflare-api-double',
        // Tests upload far more than 60 times a minute from one address; the rate-limit test uses
        // STRICT_UPLOAD_LIMITER (3 per minute) in place of UPLOAD_LIMITER.
        ratelimits: {
          UPLOAD_LIMITER: { namespace_id: '1001', simple: { limit: 1_000_000, period: 60 } },
          STRICT_UPLOAD_LIMITER: { namespace_id: '1002', simple: { limit: 3, period: 60 } },
        },
        workers: [
          {
            name: 'cloudflare-api-double',
            modules: true,
            scriptPath: './test/doubles/cloudflare-api.js',
            compatibilityDate: '2026-11-01',
            bindings: { EXPECTED_TOKEN: CLOUDFLARE_DOUBLE.token },
          },
        ],
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
  },
})
