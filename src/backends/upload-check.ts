import { boolean, object } from 'valibot'
import { errorMessage } from '../lib/errors'
import { truncate } from '../lib/format'
import { UPLOAD_CHECK_MODULE } from '../deploy/bundle'
import { withConsoleGuard } from '../logs/console-guard'
import { PlatformError } from '../core/errors'
import { parseOr } from '../core/schema'
import type { Compatibility, WorkerBundle } from '../core/model'
import { toLoaderModule } from './modules'

// A main module of the platform's own that imports the user's main module: evaluating it runs the
// user's global scope once (as Cloudflare does at upload) without ever calling the user's fetch().
// deploy/bundle.ts refuses uploads that use its name.
const PROBE_MODULE = UPLOAD_CHECK_MODULE
const PROBE_SOURCE = (mainModule: string) => `
import * as main from ${JSON.stringify(`./${mainModule}`)};
export default {
  fetch() {
    const handler = main.default;
    const has = (method) => typeof handler?.[method] === "function" || typeof handler?.prototype?.[method] === "function";
    return Response.json({ hasFetch: has("fetch"), hasScheduled: has("scheduled") });
  },
};`

/** What the probe answers. The upload's code ran in its isolate first and could have changed it. */
const probeAnswerSchema = object({ hasFetch: boolean(), hasScheduled: boolean() })

const CHECK_TIMEOUT_MS = 5_000
/**
 * CPU the check may spend. On Cloudflare this stops a global scope that never finishes; local workerd
 * enforces neither it nor the timeout above for a loop that never yields (measured: the isolate runs on
 * the dev server's only thread, so the clock never advances), so there such an upload hangs `npm run dev`.
 */
export const CHECK_LIMITS = { cpuMs: 1_000 } as const
const NO_FETCH_HANDLER =
  'The script has no fetch handler. Export one: export default { async fetch(request, env, ctx) { … } }'

/** What the check found out about the upload's handlers (unknown for service-worker syntax). */
export interface CheckedBundle {
  hasScheduled?: boolean
  /**
   * How long the check took to start the upload's isolate and run its global scope, in ms (wall
   * time to the probe's answer): what Cloudflare's API reports as `startup_time_ms`.
   */
  startupMs?: number
}

/**
 * Loads the bundle in a throwaway isolate (no network, no bindings) and rejects it with the
 * runtime's own message when it does not start or has no fetch handler.
 */
export async function checkBundle(
  loader: WorkerLoader,
  uploaded: WorkerBundle,
  compatibility: Compatibility,
): Promise<CheckedBundle> {
  // The upload's global scope runs here first: its console output is guarded like a deployment's.
  const bundle = withConsoleGuard(uploaded)
  const modules = Object.fromEntries(bundle.modules.map((module) => [module.name, toLoaderModule(module)]))
  const main = bundle.modules.find((module) => module.name === bundle.mainModule)
  const load = (mainModule: string) =>
    loadChecked(loader, compatibility, {
      mainModule,
      modules,
      globalOutbound: null,
      env: {},
      limits: CHECK_LIMITS,
    })

  if (main?.type === 'service-worker') {
    // Service-worker scripts cannot be imported; start the script itself. Only a failure to start
    // rejects it: its own handler may well throw for a request it was never meant to get.
    const worker = load(main.name)
    const started = Date.now()
    try {
      const entrypoint = worker.getEntrypoint(undefined, { limits: CHECK_LIMITS })
      await withTimeout(entrypoint.fetch('http://upload-check/'), CHECK_TIMEOUT_MS)
    } catch (error) {
      const message = runtimeMessage(error)
      if (isStartupFailure(error)) throw new PlatformError('script_rejected', `The script does not start: ${message}`)
    }
    return { startupMs: Date.now() - started }
  }

  // Never let an upload's module stand in for the probe (deploy/bundle.ts refuses the name already).
  if (PROBE_MODULE in modules)
    throw new PlatformError('invalid_request', `"${PROBE_MODULE}" is a reserved module name.`)
  modules[PROBE_MODULE] = { js: PROBE_SOURCE(bundle.mainModule) }
  const probe = load(PROBE_MODULE)
  let answer: unknown
  // Time advances in a Worker across I/O: the probe's call is, so this spans the isolate's start.
  const started = Date.now()
  try {
    const entrypoint = probe.getEntrypoint(undefined, { limits: CHECK_LIMITS })
    const response = await withTimeout(entrypoint.fetch('http://upload-check/'), CHECK_TIMEOUT_MS)
    answer = await response.json()
  } catch (error) {
    throw new PlatformError('script_rejected', `The script does not start: ${runtimeMessage(error)}`)
  }
  const result = parseOr(probeAnswerSchema, answer, (problem) => {
    return new PlatformError('script_rejected', `The script changed the upload check's answer (${problem}).`)
  })
  if (!result.hasFetch) throw new PlatformError('script_rejected', NO_FETCH_HANDLER)
  return { hasScheduled: result.hasScheduled, startupMs: Date.now() - started }
}

/**
 * Loads the check's isolate. The runtime refuses compatibility settings it does not know (an unknown
 * or experimental flag, contradictory flags, a malformed date or one newer than it supports) as it
 * loads: that is the uploader's 400, with the runtime's words and the values sent, never a 500.
 */
function loadChecked(
  loader: WorkerLoader,
  { date, flags }: Compatibility,
  code: Omit<WorkerLoaderWorkerCode, 'compatibilityDate' | 'compatibilityFlags'>,
): WorkerStub {
  try {
    return loader.load({ ...code, compatibilityDate: date, compatibilityFlags: flags })
  } catch (error) {
    const message = runtimeMessage(error)
    if (/compatibility/i.test(message)) {
      throw new PlatformError(
        'invalid_request',
        `The runtime refused the compatibility settings (compatibility_date ${truncate(JSON.stringify(date), 40)}, compatibility_flags ${truncate(JSON.stringify(flags), 200)}): ${message}`,
      )
    }
    throw new PlatformError('script_rejected', `The script does not start: ${message}`)
  }
}

function isStartupFailure(error: unknown): boolean {
  return /^Failed to start Worker|did not finish within|No event handlers were registered|Handler does not export/i.test(
    errorMessage(error),
  )
}

/** The runtime's message without its "Failed to start Worker:" wrapper. */
function runtimeMessage(error: unknown): string {
  return (
    errorMessage(error)
      .replace(/^Failed to start Worker:\s*/i, '')
      .trim() || 'unknown error'
  )
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`its global scope did not finish within ${ms / 1000} s`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => timer !== undefined && clearTimeout(timer))
}
