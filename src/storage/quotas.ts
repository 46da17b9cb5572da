import { configFor, type ConfigVars, type StorageQuotas } from '../core/config'
import { refusal } from './refusal'

/** The operator's storage quotas for this isolate's bindings (parsed once per env object: calls are the hot path). */
export function quotasFor(env: ConfigVars & object): StorageQuotas {
  return configFor(env).storageQuotas
}

/**
 * An Error the tenant's code sees when a storage quota refuses a call. It names the operator's
 * setting, so the worker's owner knows which limit it hit and the operator which knob to turn.
 */
export function quotaError(setting: string, message: string): Error {
  return refusal(`${setting} exceeded: ${message}`)
}

/** Storage calls counted per worker in this isolate: name → the current one-second window. */
const windows = new Map<string, { start: number; count: number }>()

/**
 * Counts one storage call of a worker against TENANT_STORAGE_OPS_PER_SECOND. A binding is fixed
 * when its worker loads (the loader caches the isolate; a namespace script is uploaded with it), so
 * nothing names the request a call belongs to: calls are counted per second instead, in the isolate
 * that serves them — approximate, since calls of one worker may arrive at several isolates.
 */
export function countOperation(name: string, quotas: Pick<StorageQuotas, 'opsPerSecond'>, now = Date.now()): void {
  const window = windows.get(name)
  if (!window || now - window.start >= 1000) {
    windows.set(name, { start: now, count: 1 })
    if (windows.size > 10_000) windows.clear() // bounded: a window only matters for one second
    return
  }
  window.count += 1
  if (window.count > quotas.opsPerSecond) {
    throw quotaError(
      'TENANT_STORAGE_OPS_PER_SECOND',
      `this worker may make at most ${quotas.opsPerSecond} storage calls (env.KV, env.DB) per second.`,
    )
  }
}
