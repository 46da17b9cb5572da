import type { StorageUsage, TenantDatabase } from './database.do'
import { exportKvEntries } from './kv-export'
import { sweepKv } from './kv-sweep'
import { databaseName, kvPrefix, type StorageRef } from './refs'

/** The bindings storage lives in (this Worker's: tenant code reaches them only through the entrypoints and its own database object). */
export type StorageEnv = Pick<Env, 'TENANT_KV' | 'TENANT_DATABASES'>

/** The object that runs a worker's env.DB. */
export function sqlObject(env: StorageEnv, ref: StorageRef): DurableObjectStub<TenantDatabase> {
  return env.TENANT_DATABASES.getByName(`sql:${databaseName(ref)}`)
}

/** The object that keeps the ledger of a worker's env.KV keys. */
export function kvLedger(env: StorageEnv, ref: StorageRef): DurableObjectStub<TenantDatabase> {
  return env.TENANT_DATABASES.getByName(`kv:${databaseName(ref)}`)
}

/** The platform's operations on tenants' storage (see TenantData and Workers.remove). */
export interface TenantStorage {
  /** A worker's database object, whose stub a loaded Worker gets as env.DB (dynamic-workers). */
  database(ref: StorageRef): DurableObjectStub<TenantDatabase>
  usage(ref: StorageRef): Promise<StorageUsage>
  exportKv(ref: StorageRef): ReadableStream<Uint8Array>
  exportSql(ref: StorageRef): Promise<ReadableStream<Uint8Array>>
  purge(ref: StorageRef): Promise<void>
}

export function tenantStorage(env: StorageEnv): TenantStorage {
  return {
    database: (ref) => sqlObject(env, ref),
    usage: (ref) => storageUsage(env, ref),
    exportKv: (ref) => exportKv(env, ref),
    exportSql: (ref) => exportSql(env, ref),
    purge: (ref) => purgeStorage(env, ref),
  }
}

/** What a worker keeps, for its page. */
export async function storageUsage(env: StorageEnv, ref: StorageRef): Promise<StorageUsage> {
  const [kv, sql] = await Promise.all([kvLedger(env, ref).kvUsage(), sqlObject(env, ref).sqlUsage()])
  return { kv, sql }
}

/** A worker's KV data as JSON lines, one entry per line, read value by value as the response is sent. */
export function exportKv(env: StorageEnv, ref: StorageRef): ReadableStream<Uint8Array> {
  return exportKvEntries(env.TENANT_KV, kvPrefix(ref))
}

/** A worker's SQL data as a script that recreates it, streamed from its object chunk by chunk. */
export function exportSql(env: StorageEnv, ref: StorageRef): Promise<ReadableStream<Uint8Array>> {
  return sqlObject(env, ref).dump()
}

/**
 * Deletes everything a worker stored: its two objects first — from then on they refuse the deleted
 * owner's writes, so nothing of it comes back — then its KV keys (the ledger sweeps once more later,
 * for a write it admitted just before). Idempotent, so the name's outbox can repeat it until it
 * succeeds (see NameClaim).
 */
export async function purgeStorage(env: StorageEnv, ref: StorageRef): Promise<void> {
  await Promise.all([kvLedger(env, ref).purge(), sqlObject(env, ref).purge()])
  await sweepKv(env.TENANT_KV, kvPrefix(ref))
}
