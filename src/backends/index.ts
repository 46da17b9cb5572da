import type { Config } from '../core/config'
import type { UserWorkerBackend } from './backend'
import { CloudflareApi } from './cloudflare-api'
import { DispatchNamespaceBackend } from './dispatch-namespace'
import { DynamicWorkersBackend } from './dynamic-workers'

/** The backend the configuration selects, over this Worker's bindings. */
export function backendFor(config: Config, env: Env): UserWorkerBackend {
  if (config.backend === 'dispatch-namespace' && config.cloudflare) {
    return new DispatchNamespaceBackend(
      new CloudflareApi(config.cloudflare),
      env.dispatcher,
      config.tailConsumer,
      config.outboundWorker,
      config.platformWorkerName,
      env.LOADER,
    )
  }
  return new DynamicWorkersBackend(env.WORKER_MAPPINGS, env.LOADER)
}
