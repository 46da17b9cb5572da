import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { CLOUDFLARE_DOUBLE, SAAS_ZONE } from './test/doubles/constants.ts'
import { NPM_REGISTRY_DOUBLE } from './test/doubles/npm-registry-constants.ts'

// Node runs this file; tsc checks it with the Workers' types, which have no `process`.
declare const process: { env: Record<string, string | undefined> }
// workerd logs every uncaught exception in any isolate with --verbose, the tenants' deliberate throws
// the tests assert included: off, so a green run prints none; CI turns it on (WORKERD_VERBOSE=1) and
// fails on any line .ci/expected-uncaught.txt does not list (docs/testing.md).
const verbose = process.env.WORKERD_VERBOSE === '1'

/**
 * The platform under test: the Worker gets the bindings of wrangler.jsonc and `bindings`; its
 * outbound fetch() goes to a test double of the Cloudflare API (test/doubles/cloudflare-api.js),
 * which the dispatch-namespace tests point CLOUDFLARE_API_BASE_URL at.
 */
function platformWorker(bindings: Record<string, string> = {}) {
  return cloudflareTest({
    verbose,
    wrangler: { configPath: './wrangler.jsonc' },
    miniflare: {
      outboundService: 'cloudflare-api-double',
      bindings: {
        // Storage quotas small enough for tests to reach (test/storage/quotas.test.ts).
        TENANT_KV_MAX_KEYS: '40',
        TENANT_SQL_MAX_BYTES: String(1024 * 1024),
        // test/objects/objects.test.ts makes one more than this.
        TENANT_OBJECTS_MAX: '3',
        // The tests' origin (test/helpers.ts ORIGIN): other .test hosts are custom domains.
        PLATFORM_HOSTNAMES: 'platform.test',
        ...bindings,
      },
      // Tests upload far more than 60 times a minute from one address; the rate-limit test uses
      // STRICT_UPLOAD_LIMITER (3 per minute) in place of UPLOAD_LIMITER.
      ratelimits: {
        UPLOAD_LIMITER: { namespace_id: '1001', simple: { limit: 1_000_000, period: 60 } },
        STRICT_UPLOAD_LIMITER: { namespace_id: '1002', simple: { limit: 3, period: 60 } },
        // Tests refuse many tokens on purpose; the failed-credential test uses the strict one.
        AUTH_FAILURE_LIMITER: { namespace_id: '1003', simple: { limit: 1_000_000, period: 60 } },
        STRICT_AUTH_FAILURE_LIMITER: { namespace_id: '1004', simple: { limit: 3, period: 60 } },
      },
      workers: [
        {
          name: 'cloudflare-api-double',
          // Two modules: the custom hostnames' part imported by the script endpoints'.
          modulesRoot: '.',
          modules: [
            { type: 'ESModule', path: './test/doubles/cloudflare-api.js' },
            { type: 'ESModule', path: './test/doubles/custom-hostnames.js' },
          ],
          compatibilityDate: '2026-11-01',
          bindings: { EXPECTED_TOKEN: CLOUDFLARE_DOUBLE.token },
        },
        // BUILDER (wrangler.jsonc): a stand-in that answers by the build contract without
        // compiling (the real builder has its own project below, and runs in the e2e suite).
        {
          name: 'workers-for-platforms-builder',
          modules: true,
          scriptPath: './test/doubles/builder.js',
          compatibilityDate: '2026-11-01',
        },
      ],
    },
  })
}

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [platformWorker()],
        test: {
          name: 'platform',
          // One worker per file cost ~1.6 s of start-up each (vitest's own report): files share the
          // runtime and its storage instead, so a test must not assume storage only it wrote to
          // (names come from uniqueName(); a list is paged until the worker is found).
          isolate: false,
          // Bundles the Drizzle fixture Worker for test/storage/drizzle.test.ts.
          globalSetup: ['./test/setup/drizzle-worker.ts'],
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/builder/**', 'test/domains/zone/**'],
        },
      },
      // The same platform with a SaaS zone configured (custom domains through Cloudflare for SaaS).
      {
        plugins: [platformWorker(SAAS_ZONE)],
        test: { name: 'saas-zone', isolate: false, include: ['test/domains/zone/**/*.test.ts'] },
      },
      // The builder Worker (builder/wrangler.jsonc) as the main Worker; every fetch() it makes
      // (the npm installs) goes to an npm registry double that the tests publish packages to.
      {
        plugins: [
          cloudflareTest({
            verbose,
            wrangler: { configPath: './builder/wrangler.jsonc' },
            miniflare: {
              outboundService: 'npm-registry-double',
              // Test-only: the tests run what the builder built, in a Worker Loader isolate.
              workerLoaders: { LOADER: {} },
              // Test-only: the example app's env.DB when test/builder/example.test.ts serves it.
              d1Databases: ['EXAMPLE_DB'],
              workers: [
                {
                  name: 'npm-registry-double',
                  modules: true,
                  scriptPath: './test/doubles/npm-registry.js',
                  compatibilityDate: '2026-11-01',
                  bindings: { ORIGIN: NPM_REGISTRY_DOUBLE.url },
                },
              ],
            },
          }),
        ],
        test: {
          name: 'builder',
          // As above; the files also share esbuild's compiled wasm instead of compiling it per file.
          isolate: false,
          include: ['test/builder/**/*.test.ts'],
          // The first build compiles esbuild's 14 MB wasm.
          testTimeout: 30_000,
        },
      },
    ],
  },
})
