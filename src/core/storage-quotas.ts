import { parsePositiveInt } from './config-values'

/** Storage quotas per worker; each is refused inside the tenant's code by an Error naming it. */
export interface StorageQuotas {
  kvMaxBytes: number
  kvMaxKeys: number
  sqlMaxBytes: number
  /** Rows one env.DB call (a statement, or a batch together) may read (storage/sql-budget.ts). */
  sqlMaxRowsRead: number
  /** Bytes of results one env.DB call may return (text as UTF-8, blobs by length, 8 per number). */
  sqlMaxResultBytes: number
  /** Storage calls per second per worker, counted where the calls arrive (see storage/quotas.ts). */
  opsPerSecond: number
  /** Durable Objects one worker's code may make (objects/object-index.ts). */
  objectsMax: number
}

/** The quotas when no setting says otherwise (docs/configuration.md, generated from them). */
export const DEFAULT_STORAGE_QUOTAS: StorageQuotas = {
  kvMaxBytes: 100 * 1024 * 1024,
  kvMaxKeys: 100_000,
  sqlMaxBytes: 100 * 1024 * 1024,
  sqlMaxRowsRead: 10_000_000,
  // Blobs cross RPC as arrays of numbers (up to 3 bytes per byte): 10 MiB of them fit one 32 MiB message.
  sqlMaxResultBytes: 10 * 1024 * 1024,
  opsPerSecond: 1_000,
  objectsMax: 10_000,
}

/** The quotas as the TENANT_* settings give them (each a positive integer), else the defaults. */
export function parseStorageQuotas(env: Partial<Record<string, string>>): StorageQuotas {
  const defaults = DEFAULT_STORAGE_QUOTAS
  return {
    kvMaxBytes: parsePositiveInt('TENANT_KV_MAX_BYTES', env.TENANT_KV_MAX_BYTES) ?? defaults.kvMaxBytes,
    kvMaxKeys: parsePositiveInt('TENANT_KV_MAX_KEYS', env.TENANT_KV_MAX_KEYS) ?? defaults.kvMaxKeys,
    sqlMaxBytes: parsePositiveInt('TENANT_SQL_MAX_BYTES', env.TENANT_SQL_MAX_BYTES) ?? defaults.sqlMaxBytes,
    sqlMaxRowsRead:
      parsePositiveInt('TENANT_SQL_MAX_ROWS_READ', env.TENANT_SQL_MAX_ROWS_READ) ?? defaults.sqlMaxRowsRead,
    sqlMaxResultBytes:
      parsePositiveInt('TENANT_SQL_MAX_RESULT_BYTES', env.TENANT_SQL_MAX_RESULT_BYTES) ?? defaults.sqlMaxResultBytes,
    opsPerSecond:
      parsePositiveInt('TENANT_STORAGE_OPS_PER_SECOND', env.TENANT_STORAGE_OPS_PER_SECOND) ?? defaults.opsPerSecond,
    objectsMax: parsePositiveInt('TENANT_OBJECTS_MAX', env.TENANT_OBJECTS_MAX) ?? defaults.objectsMax,
  }
}
