import { PlatformError } from '../core/errors'
import type { WorkerSettings } from '../core/model'

/** A binding as the Cloudflare API lists a script's (its settings) and takes it in an upload's metadata. */
export type ApiBinding =
  | { type: 'plain_text'; name: string; text: string }
  | { type: 'json'; name: string; json: unknown }
  | { type: 'secret_text'; name: string }
  | { type: 'kv_namespace'; name: string; namespace_id: string }
  | { type: 'd1'; name: string; id: string }
  | { type: 'durable_object_namespace'; name: string; class_name: string }
  | { type: 'assets'; name: string }

/**
 * The bindings a deployment runs with, as the API lists them (GET …/settings): what wrangler reads
 * to decide which bindings of a project to send as `inherit` rather than provision anew. Secrets by
 * name only. A store's id is the one its config gave (storage/refs.ts keeps it URI-encoded).
 */
export function bindingsOf(settings: WorkerSettings): ApiBinding[] {
  const storage = settings.storage
  return [
    ...Object.entries(settings.vars).map(([name, text]) => ({ type: 'plain_text' as const, name, text })),
    ...Object.entries(settings.jsonVars ?? {}).map(([name, json]) => ({
      type: 'json' as const,
      name,
      json: JSON.parse(json) as unknown,
    })),
    ...settings.secretNames.map((name) => ({ type: 'secret_text' as const, name })),
    ...(storage?.kvNamespaces ?? []).map(({ binding, store }) => ({
      type: 'kv_namespace' as const,
      name: binding,
      namespace_id: decodeURIComponent(store),
    })),
    ...(storage?.d1Databases ?? []).map(({ binding, store }) => ({
      type: 'd1' as const,
      name: binding,
      id: decodeURIComponent(store),
    })),
    ...(storage?.durableObjects ?? []).map(({ binding, className }) => ({
      type: 'durable_object_namespace' as const,
      name: binding,
      class_name: className,
    })),
    ...(settings.assetsBinding ? [{ type: 'assets' as const, name: settings.assetsBinding }] : []),
  ]
}

/**
 * An upload's bindings with each `{ type: "inherit", name }` replaced by the binding of that name
 * the worker runs with now (`current`; none for a new worker): Cloudflare's "keep what it had".
 * Nothing of that name to inherit is the API's error 10057.
 */
export function resolveInherited<T extends { type: string; name: string }>(
  bindings: T[],
  current: ApiBinding[],
): (T | ApiBinding)[] {
  return bindings.map((binding) => {
    if (binding.type !== 'inherit') return binding
    const kept = current.find((candidate) => candidate.name === binding.name)
    if (!kept) {
      throw new PlatformError(
        'binding_not_inherited',
        `The binding "${binding.name}" is inherited, but the worker has no binding of that name to inherit: give it in full (for a KV namespace or D1 database, its id).`,
      )
    }
    return kept
  })
}
