import { exports } from 'cloudflare:workers'
import { backendFor } from '../backends'
import { ConfigError, configFor, type Config } from '../core/config'
import { MinuteAggregator, type Metrics, type MetricsStore } from '../metrics/metrics-recorder'
import { DeploymentMinutesStore } from '../metrics/rollout-metrics'
import { Platform } from './platform'
import type { Entrypoints } from '../dispatch/wiring'
import { AnalyticsEngineMetrics } from '../metrics/analytics-engine'
import { Registry } from '../names/registry'
import { tenantStorage } from '../storage/store'

// One platform per env object (i.e. per isolate), so the registry's in-memory cache survives requests.
const platforms = new WeakMap<Env, Platform>()

/** The platform for this isolate's bindings, built once from the validated configuration. */
export function platformFor(env: Env): Platform {
  let platform = platforms.get(env)
  if (!platform) {
    const config = configFor(env)
    platform = new Platform({
      config,
      backend: backendFor(config, env),
      registry: new Registry(env.WORKER_MAPPINGS, config.mappingCacheMs),
      claims: env.NAME_CLAIMS,
      accounts: env.ACCOUNTS,
      loader: env.LOADER,
      entrypoints: ENTRYPOINTS,
      builder: env.BUILDER,
      storage: tenantStorage(env),
      metrics: metricsFor(config, env),
      // During a rollout, each side's requests again, by deployment (metrics/rollout-metrics.ts).
      deploymentMetrics: metricsFor(config, env, new DeploymentMinutesStore(env.WORKER_METRICS)),
      staging: env.WORKER_MAPPINGS,
      domainObjects: env.CUSTOM_DOMAINS,
      trail: env.AUDIT_TRAIL,
      leases: env.WORKER_METRICS,
      accountIndex: env.WORKER_MAPPINGS,
    })
    platforms.set(env, platform)
  }
  return platform
}

// Loopback bindings to this Worker's own exports (see src/index.ts), with props for one user Worker.
const ENTRYPOINTS: Entrypoints = {
  logTail: (name, workerId, ownerId, use) => exports.LogTail({ props: { name, workerId, ownerId, ...use } }),
  egressGate: (egress, context) => exports.EgressGate({ props: { egress, ...context } }),
  tenantKv: (ref) => exports.TenantKV({ props: ref }),
  tenantAssets: (workerId) => exports.TenantAssets({ props: { workerId } }),
  tenantCache: (ref, trusted) => exports.TenantCache({ props: { name: ref.name, ownerId: ref.ownerId, trusted } }),
  tenantObjects: (ref) => exports.TenantObjects({ props: ref }),
}

/** Where per-worker metrics go (METRICS): see docs/metrics.md. */
function metricsFor(config: Config, env: Env, store: MetricsStore = env.WORKER_METRICS): Metrics | undefined {
  switch (config.metrics) {
    case 'off':
      return undefined
    case 'analytics-engine':
      // Data points go to the binding; the SQL API reads them back with the account's credentials.
      if (!env.METRICS_DATASET || !config.cloudflare) {
        throw new ConfigError(
          'METRICS is "analytics-engine", which needs CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and the METRICS_DATASET binding.',
        )
      }
      return new AnalyticsEngineMetrics(env.METRICS_DATASET, config.cloudflare)
    case 'local':
      return new MinuteAggregator(store)
  }
}
