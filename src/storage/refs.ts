import { excludes, object, optional, pipe, regex, safeParse, string, type GenericSchema } from 'valibot'
import type { NamedStore, StorageSettings } from '../core/model'

/**
 * Whose data a storage call touches: a worker's name and the owner that holds it, and which of its
 * stores (absent: env.KV's and env.DB's own, as before projects could declare more). The owner ID
 * is minted when a name is claimed and kept across deploys, rollbacks and promotes, so the data
 * belongs to the name; a name freed and claimed again starts empty, even while the old data is
 * still being deleted. Set by the platform (binding props), never by tenant code.
 */
export interface StorageRef {
  name: string
  ownerId: string
  store?: string
}

/** Whose storage a worker's code reaches: the name, as claimed by its current owner. */
export function storageRefOf(record: StorageRef): StorageRef {
  return { name: record.name, ownerId: record.ownerId }
}

/** Every store of a worker: env.KV's and env.DB's own, and each one a deployment has declared. */
export function storageRefsOf(record: StorageRef & { stores?: string[] }): StorageRef[] {
  const ref = storageRefOf(record)
  return [ref, ...(record.stores ?? []).map((store) => storeRef(ref, store))]
}

/** One of the worker's declared stores. */
export function storeRef(ref: StorageRef, store: string): StorageRef {
  return { name: ref.name, ownerId: ref.ownerId, store }
}

/** The bindings tenant code gets, by their name in `env`. */
export const KV_BINDING = 'KV'
export const DB_BINDING = 'DB'

/**
 * A declared store's ID: the config's `id` or `database_name` (or the binding name), as
 * encodeURIComponent writes it, so it never holds "/" or ":" (see kvPrefix). The same ID is the
 * same store: two bindings naming one id share it, and renaming a binding keeps its data.
 */
export const STORE_ID = /^[A-Za-z0-9_.!~*'()%-]{1,192}$/
/**
 * How many stores a worker may declare over its life (each keeps its data until the worker is
 * deleted; the quotas count across them, grants.ts): a bound on the objects one worker makes.
 */
export const MAX_DECLARED_STORES = 8

/** The longest id (or database name) a declared store may have, before encoding (Cloudflare's are 32 or 36). */
export const MAX_STORE_ID_LENGTH = 64

/** The store ID of a declared id; undefined when it is empty or longer than MAX_STORE_ID_LENGTH. */
export function storeIdOf(declared: string): string | undefined {
  if (declared.length === 0 || declared.length > MAX_STORE_ID_LENGTH) return undefined
  return encodeURIComponent(declared)
}

/** The names storage takes in a worker's env when it is on (a variable or secret may not use them). */
export function storageBindingNames(storage: StorageSettings | undefined): string[] {
  return [
    ...(storage?.kv ? [KV_BINDING] : []),
    ...(storage?.sql ? [DB_BINDING] : []),
    ...namedStores(storage).map((named) => named.binding),
    ...(storage?.durableObjects ?? []).map((entry) => entry.binding),
  ]
}

/** The declared stores of a deployment's settings, KV and D1 alike. */
export function namedStores(storage: StorageSettings | undefined): NamedStore[] {
  return [...(storage?.kvNamespaces ?? []), ...(storage?.d1Databases ?? [])]
}

/**
 * The platform KV prefix of one store's keys: `<name>/<owner>/` for env.KV's own (the layout from
 * before declared stores, so its data still reads), `<name>/<owner>:<store>/` for a declared one.
 * Neither a name (a DNS label), an owner ID (base64url) nor a store ID contains "/" or ":", so no
 * store's prefix is a prefix of another's, whatever keys a tenant chooses.
 */
export function kvPrefix(ref: StorageRef): string {
  return `${databaseName(ref)}/`
}

/** Every store of a worker, KV keys of env.KV's own and of declared ones alike (owner IDs have one length). */
export function workerKvPrefix(ref: StorageRef): string {
  return `${ref.name}/${ref.ownerId}`
}

/** The Durable Object (TenantDatabase) of one store's SQL database and storage accounting. */
export function databaseName(ref: StorageRef): string {
  return ref.store === undefined ? `${ref.name}/${ref.ownerId}` : `${ref.name}/${ref.ownerId}:${ref.store}`
}

/** A storage binding's props: a name, an owner and maybe a store, none with a "/"; nothing else is kept. */
const storageRefSchema: GenericSchema<StorageRef> = object({
  name: pipe(string(), excludes('/')),
  ownerId: pipe(string(), excludes('/')),
  store: optional(pipe(string(), regex(STORE_ID))),
})

/** The bindings an entrypoint checks before trusting its props (a misconfigured binding fails loudly). */
export function assertStorageRef(props: unknown): StorageRef {
  const ref = safeParse(storageRefSchema, props)
  if (!ref.success) throw new Error('This storage binding is not configured for a worker.')
  return ref.output
}
