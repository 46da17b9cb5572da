import { parseConfig } from '../config'
import type { Env } from '../env'
import type { UserWorkerBackend } from './backend'
import { CloudflareApi } from './cloudflare-api'
import { DispatchNamespaceBackend } from './dispatch-namespace'
import { DynamicWorkersBackend } from './dynamic-workers'
import { Registry } from './registry'
import { PlatformService } from './service'

/** How long an isolate trusts its cached name → Worker ID mapping before reading KV again. */
export const MAPPING_CACHE_TTL_MS = 5_000

// One service per env object (i.e. per isolate), so the registry's in-memory cache survives requests.
const services = new WeakMap<Env, PlatformService>()

export function platformFor(env: Env): PlatformService {
  let service = services.get(env)
  if (!service) {
    service = createPlatform(env)
    services.set(env, service)
  }
  return service
}

function createPlatform(env: Env): PlatformService {
  // Read once per isolate: platformFor caches the service, and the service holds the config.
  const config = parseConfig(env)
  let backend: UserWorkerBackend
  if (config.backend === 'dispatch-namespace' && config.cloudflare) {
    backend = new DispatchNamespaceBackend(
      new CloudflareApi(config.cloudflare),
      env.dispatcher,
      config.userCompatibilityDate,
      config.tailConsumer,
    )
  } else {
    backend = new DynamicWorkersBackend(env.WORKER_MAPPINGS, env.LOADER, config.userCompatibilityDate)
  }
  return new PlatformService(
    config,
    backend,
    new Registry(env.WORKER_MAPPINGS, MAPPING_CACHE_TTL_MS),
    env.NAME_CLAIMS,
    env.LOADER,
  )
}
