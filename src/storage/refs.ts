import { excludes, object, pipe, safeParse, string, type GenericSchema } from 'valibot'
import type { StorageSettings } from '../core/model'

/**
 * Whose data a storage call touches: a worker's name and the owner that holds it. The owner ID is
 * minted when a name is claimed and kept across deploys, rollbacks and promotes, so the data
 * belongs to the name; a name freed and claimed again starts empty, even while the old data is
 * still being deleted. Set by the platform (binding props), never by tenant code.
 */
export interface StorageRef {
  name: string
  ownerId: string
}

/** Whose storage a worker's code reaches: the name, as claimed by its current owner. */
export function storageRefOf(record: StorageRef): StorageRef {
  return { name: record.name, ownerId: record.ownerId }
}

/** The bindings tenant code gets, by their name in `env`. */
export const KV_BINDING = 'KV'
export const DB_BINDING = 'DB'

/** The names storage takes in a worker's env when it is on (a variable or secret may not use them). */
export function storageBindingNames(storage: StorageSettings | undefined): string[] {
  return [...(storage?.kv ? [KV_BINDING] : []), ...(storage?.sql ? [DB_BINDING] : [])]
}

/**
 * The platform KV prefix of one worker's keys. Neither a name (a DNS label) nor an owner ID
 * (base64url) can contain "/", so no worker's prefix is a prefix of another's.
 */
export function kvPrefix(ref: StorageRef): string {
  return `${ref.name}/${ref.ownerId}/`
}

/** The Durable Object (TenantDatabase) of one worker's SQL database and storage accounting. */
export function databaseName(ref: StorageRef): string {
  return `${ref.name}/${ref.ownerId}`
}

/** A storage binding's props: a name and an owner, neither with a "/" (see kvPrefix); nothing else is kept. */
const storageRefSchema: GenericSchema<StorageRef> = object({
  name: pipe(string(), excludes('/')),
  ownerId: pipe(string(), excludes('/')),
})

/** The bindings an entrypoint checks before trusting its props (a misconfigured binding fails loudly). */
export function assertStorageRef(props: unknown): StorageRef {
  const ref = safeParse(storageRefSchema, props)
  if (!ref.success) throw new Error('This storage binding is not configured for a worker.')
  return ref.output
}
