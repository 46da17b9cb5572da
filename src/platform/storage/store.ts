import type { StorageUsage, TenantDatabase } from './database.do'
import { exportValue } from './kv'
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

/** The platform's operations on tenants' storage (see PlatformService). */
export interface TenantStorage {
  /** A worker's database object, whose stub a loaded Worker gets as env.DB (dynamic-workers). */
  database(ref: StorageRef): DurableObjectStub<TenantDatabase>
  usage(ref: StorageRef): Promise<StorageUsage>
  exportKv(ref: StorageRef): ReadableStream<Uint8Array>
  exportSql(ref: StorageRef): Promise<string>
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

/** One exported KV entry: the key, its value (text, or base64 for bytes that are not UTF-8), metadata, expiration. */
export type ExportedKvEntry = { key: string; metadata?: unknown; expiration?: number } & (
  { value: string } | { base64: string }
)

/** A worker's KV data as JSON lines, one entry per line, read page by page as the response is sent. */
export function exportKv(env: StorageEnv, ref: StorageRef): ReadableStream<Uint8Array> {
  const prefix = kvPrefix(ref)
  const encoder = new TextEncoder()
  let cursor: string | undefined
  let done = false
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return controller.close()
      const page = await env.TENANT_KV.list({ prefix, ...(cursor ? { cursor } : {}) })
      const lines = await Promise.all(
        page.keys.map(async ({ name, expiration }) => {
          const { value, metadata } = await env.TENANT_KV.getWithMetadata(name, 'arrayBuffer')
          if (value === null) return '' // expired or deleted since the list
          const entry: ExportedKvEntry = {
            key: name.slice(prefix.length),
            ...exportValue(value),
            ...(metadata != null ? { metadata } : {}),
            ...(expiration ? { expiration } : {}),
          }
          return `${JSON.stringify(entry)}\n`
        }),
      )
      controller.enqueue(encoder.encode(lines.join('')))
      if (page.list_complete) done = true
      else cursor = page.cursor
    },
  })
}

/** A worker's SQL data as a script that recreates it. */
export function exportSql(env: StorageEnv, ref: StorageRef): Promise<string> {
  return sqlObject(env, ref).dump()
}

/**
 * Deletes everything a worker stored: its KV keys, then its two objects. Idempotent, so the name's
 * outbox can repeat it until it succeeds (see NameClaim).
 */
export async function purgeStorage(env: StorageEnv, ref: StorageRef): Promise<void> {
  const prefix = kvPrefix(ref)
  let cursor: string | undefined
  for (;;) {
    const page = await env.TENANT_KV.list({ prefix, ...(cursor ? { cursor } : {}) })
    await Promise.all(page.keys.map(({ name }) => env.TENANT_KV.delete(name)))
    if (page.list_complete) break
    cursor = page.cursor
  }
  await Promise.all([kvLedger(env, ref).purge(), sqlObject(env, ref).purge()])
}
