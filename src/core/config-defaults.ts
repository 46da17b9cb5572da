import { DEFAULT_STORAGE_QUOTAS } from './storage-quotas'

/** What each setting is when it is not set (docs/configuration.md is generated from these and config-docs.ts). */
export const DEFAULTS = {
  apiBaseUrl: 'https://api.cloudflare.com/client/v4',
  dispatchNamespace: 'workers-for-platforms-example-project',
  maxScriptBytes: 1024 * 1024,
  npmRegistryUrl: 'https://registry.npmjs.org',
  buildLimits: {
    maxTotalBytes: 10 * 1024 * 1024,
    maxFiles: 500,
    maxFileBytes: 5 * 1024 * 1024,
    maxDependencies: 200,
    maxBuildMs: 30_000,
    // typescript unpacks to 24 MB, drizzle-orm to 13 MB, react-dom to 8 MB; drizzle-orm's
    // packument is 52 MB (abbreviated, 2026). An isolate has 128 MB.
    maxPackageBytes: 32 * 1024 * 1024,
    maxInstallBytes: 64 * 1024 * 1024,
    maxPackumentBytes: 64 * 1024 * 1024,
  },
  userCompatibilityDate: '2026-11-01',
  mappingCacheSeconds: 30,
  logCaptureAfterDeployMinutes: 15,
  deploymentGraceSeconds: 120,
  maxHops: 5,
  cron: { maxPerWorker: 5, minIntervalMinutes: 1 },
  auditDaysKept: 365,
  limits: { defaults: { cpuMs: 50, subRequests: 50 }, maxima: { cpuMs: 30_000, subRequests: 1_000 } },
  storageQuotas: DEFAULT_STORAGE_QUOTAS,
  platformWorkerName: 'workers-for-platforms',
  // Everything a web page may need, except allow-same-origin: the page cannot act as the platform.
  sandboxPolicy: 'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads',
} as const
