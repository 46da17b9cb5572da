import { PlatformError } from '../core/errors'
import type { WorkerBundle } from '../core/model'
import { withConsoleGuard } from '../logs/console-guard'
import type { FetcherOptions } from './backend'
import { toLoaderModule } from './modules'

/**
 * What the Worker Loader runs for one deployment: its code behind the console guard, its runtime,
 * and an env of its own vars and secrets and the platform's bindings of its data (entrypoints that
 * hold the worker's name in their props) — none of the platform's own bindings — with its egress
 * through the platform's gate and its output to the worker's logs. dynamic-workers runs every
 * deployment this way; dispatch-namespace, the Durable Object classes of its scripts (objects/).
 */
export function loaderCode(
  bundle: WorkerBundle,
  secrets: Record<string, string>,
  options: FetcherOptions,
): WorkerLoaderWorkerCode {
  const code = withConsoleGuard(bundle)
  const { date: compatibilityDate, flags: compatibilityFlags } = options.compatibility
  return {
    compatibilityDate,
    compatibilityFlags,
    mainModule: code.mainModule,
    modules: Object.fromEntries(code.modules.map((module) => [module.name, toLoaderModule(module)])),
    env: {
      ...options.settings.vars,
      ...jsonValues(options.settings.jsonVars),
      ...secrets,
      ...options.storageBindings?.(),
    },
    ...outbound(options),
    tails: options.tail ? [options.tail()] : [],
  }
}

/**
 * The loader's global outbound: none for block-all, else the platform's gate, which every fetch()
 * and connect() of the user Worker goes through (only the public internet, within the policy).
 */
function outbound({ settings, egressGate }: FetcherOptions): { globalOutbound: Fetcher | null } {
  if (settings.egress.mode === 'block-all') return { globalOutbound: null }
  if (!egressGate) throw new PlatformError('backend_unavailable', 'The egress gate is not available.')
  return { globalOutbound: egressGate(settings.egress) }
}

/** A deployment's JSON vars as the values the Worker gets (stored as their JSON text). */
function jsonValues(jsonVars: Record<string, string> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(jsonVars ?? {}).map(([name, text]) => [name, JSON.parse(text)]))
}
