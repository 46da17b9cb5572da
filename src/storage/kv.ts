import { concatBytes, encodeText } from '../lib/encoding'
import type { StorageQuotas } from '../core/config'
import type { TenantDatabase } from './database.do'
import { kvPrefix, type StorageRef } from './refs'
import { refusal, unwrap } from './refusal'

/** Workers KV's own limits, which tenants know (keys count the platform's prefix, see maxKeyBytes). */
export const KV_LIMITS = {
  keyBytes: 512,
  valueBytes: 25 * 1024 * 1024,
  metadataBytes: 1024,
  minTtlSeconds: 60,
  listLimit: 1000,
} as const

export type KvValueType = 'text' | 'json' | 'arrayBuffer' | 'stream'
export type KvGetOptions = KvValueType | { type?: KvValueType; cacheTtl?: number } | undefined

export interface KvPutOptions {
  expiration?: number
  expirationTtl?: number
  metadata?: unknown
}

export interface KvListOptions {
  prefix?: string | null
  cursor?: string | null
  limit?: number
}

export interface KvListResult {
  keys: { name: string; expiration?: number; metadata?: unknown }[]
  list_complete: boolean
  cursor?: string
  cacheStatus: null
}

/**
 * One worker's env.KV: the Workers KV API over the platform's TENANT_KV namespace, every key under
 * the worker's prefix (refs.ts), writes counted by the worker's ledger object against its quotas.
 * Whatever key, prefix or cursor the worker passes, it is read below its own prefix, and a listed
 * key outside it (none should be) is dropped before the worker sees it.
 */
export class TenantKvStore {
  private readonly prefix: string

  constructor(
    private readonly kv: KVNamespace,
    /** The worker's ledger object; made only when a write needs it (reads never touch it). */
    private readonly ledger: () => DurableObjectStub<TenantDatabase>,
    ref: StorageRef,
    private readonly quotas: StorageQuotas,
    private readonly now: () => number = Date.now,
    /** Counts calls that succeeded and their bytes into the worker's usage (metrics/usage-counts.ts). */
    private readonly meter?: (ops: number, bytes: number) => void,
  ) {
    this.prefix = kvPrefix(ref)
  }

  async get(key: string, options?: KvGetOptions): Promise<unknown> {
    return (await this.read(key, options, false)).value
  }

  async getWithMetadata(key: string, options?: KvGetOptions): Promise<{ value: unknown; metadata: unknown }> {
    const { value, metadata } = await this.read(key, options, true)
    return { value, metadata: metadata ?? null, cacheStatus: null } as { value: unknown; metadata: unknown }
  }

  /**
   * One read, its value's bytes metered (docs/metrics.md#usage): JSON is read as text and parsed
   * here, as KV itself parses it, so its bytes are the stored ones; a stream counts as it is read.
   */
  private async read(
    key: string,
    options: KvGetOptions,
    withMetadata: boolean,
  ): Promise<{ value: unknown; metadata: unknown }> {
    const stored = this.storedKey(key)
    const type = valueType(options)
    // Each type spelled out: KV's overloads take a literal.
    if (type === 'arrayBuffer') {
      const read = withMetadata
        ? await this.kv.getWithMetadata(stored, 'arrayBuffer')
        : { value: await this.kv.get(stored, 'arrayBuffer'), metadata: null }
      this.meter?.(1, read.value?.byteLength ?? 0)
      return read
    }
    if (type === 'stream') {
      const read = withMetadata
        ? await this.kv.getWithMetadata(stored, 'stream')
        : { value: await this.kv.get(stored, 'stream'), metadata: null }
      // The call counts now; its bytes as the stream is read (a stream never read adds none).
      this.meter?.(1, 0)
      return { value: read.value && this.metered(read.value), metadata: read.metadata }
    }
    const read = withMetadata
      ? await this.kv.getWithMetadata(stored, 'text')
      : { value: await this.kv.get(stored, 'text'), metadata: null }
    this.meter?.(1, read.value === null ? 0 : encodeText(read.value).byteLength)
    return {
      value: type === 'json' && read.value !== null ? JSON.parse(read.value) : read.value,
      metadata: read.metadata,
    }
  }

  /** A value's stream, its bytes metered once it has been read to the end. */
  private metered(stream: ReadableStream): ReadableStream {
    const meter = this.meter
    if (!meter) return stream
    let bytes = 0
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength
        controller.enqueue(chunk)
      },
      flush: () => meter(0, bytes),
    })
    return stream.pipeThrough(counter)
  }

  async put(key: string, value: unknown, options: KvPutOptions = {}): Promise<void> {
    const stored = this.storedKey(key)
    const bytes = await valueBytes(value)
    if (bytes.byteLength > KV_LIMITS.valueBytes) {
      throw refusal(`KV PUT failed: the value is larger than ${KV_LIMITS.valueBytes} bytes.`)
    }
    const expiration = this.expiration(options)
    const metadata = options.metadata === undefined ? undefined : JSON.stringify(options.metadata)
    if (metadata !== undefined && encodeText(metadata).byteLength > KV_LIMITS.metadataBytes) {
      throw refusal(`KV PUT failed: metadata is larger than ${KV_LIMITS.metadataBytes} bytes when serialized.`)
    }
    const size = encodeText(key).byteLength + bytes.byteLength + (metadata ? encodeText(metadata).byteLength : 0)
    // Counted first: a refused write writes nothing; a KV failure after it over-counts until the key is written again.
    unwrap(await this.ledger().reserveKv(key, size, expiration, this.quotas, this.now()))
    // A TTL goes to KV as a TTL: turned into a time here, it could arrive at KV less than 60 s ahead.
    await this.kv.put(stored, bytes, {
      ...(options.expirationTtl !== undefined
        ? { expirationTtl: Math.floor(options.expirationTtl) }
        : expiration
          ? { expiration }
          : {}),
      ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
    })
    this.meter?.(1, size)
  }

  async delete(key: string): Promise<void> {
    await this.kv.delete(this.storedKey(key))
    unwrap(await this.ledger().releaseKv(key))
    this.meter?.(1, 0)
  }

  async list(options: KvListOptions = {}): Promise<KvListResult> {
    const limit = options.limit ?? KV_LIMITS.listLimit
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > KV_LIMITS.listLimit) {
      throw refusal(`KV LIST failed: limit must be a whole number from 1 to ${KV_LIMITS.listLimit}.`)
    }
    if (options.prefix != null && typeof options.prefix !== 'string')
      throw refusal('KV LIST failed: prefix must be a string.')
    if (options.cursor != null && typeof options.cursor !== 'string')
      throw refusal('KV LIST failed: cursor must be a string.')
    const page = await this.kv.list({
      prefix: this.prefix + (options.prefix ?? ''),
      limit,
      ...(options.cursor ? { cursor: options.cursor } : {}),
    })
    const keys = page.keys
      .filter((entry) => entry.name.startsWith(this.prefix))
      .map((entry) => ({
        name: entry.name.slice(this.prefix.length),
        ...(entry.expiration ? { expiration: entry.expiration } : {}),
        ...(entry.metadata !== undefined ? { metadata: entry.metadata } : {}),
      }))
    this.meter?.(1, 0)
    return page.list_complete
      ? { keys, list_complete: true, cacheStatus: null }
      : { keys, list_complete: false, cursor: page.cursor, cacheStatus: null }
  }

  /** The key in the platform's namespace; the worker's key must fit KV's limit with the prefix. */
  private storedKey(key: unknown): string {
    if (typeof key !== 'string' || key === '' || key === '.' || key === '..') {
      throw refusal('KV key must be a non-empty string other than "." and "..".')
    }
    const max = maxKeyBytes(this.prefix)
    if (encodeText(key).byteLength > max) throw refusal(`KV key is longer than ${max} bytes.`)
    return this.prefix + key
  }

  /** Seconds since the epoch, or none; KV's rule: at least 60 seconds ahead. */
  private expiration({ expiration, expirationTtl }: KvPutOptions): number | undefined {
    const now = Math.floor(this.now() / 1000)
    if (expirationTtl !== undefined) {
      if (typeof expirationTtl !== 'number' || !(expirationTtl >= KV_LIMITS.minTtlSeconds)) {
        throw refusal(
          `KV PUT failed: Invalid expiration_ttl of ${String(expirationTtl)}. Expiration TTL must be at least ${KV_LIMITS.minTtlSeconds}.`,
        )
      }
      return now + Math.floor(expirationTtl)
    }
    if (expiration !== undefined) {
      if (typeof expiration !== 'number' || !(expiration >= now + KV_LIMITS.minTtlSeconds)) {
        throw refusal(
          `KV PUT failed: Invalid expiration of ${String(expiration)}. Expiration times must be at least ${KV_LIMITS.minTtlSeconds} seconds in the future.`,
        )
      }
      return Math.floor(expiration)
    }
    return undefined
  }
}

/** How long a worker's own keys may be: KV's 512 bytes less the platform's prefix. */
export function maxKeyBytes(prefix: string): number {
  return KV_LIMITS.keyBytes - encodeText(prefix).byteLength
}

function valueType(options: KvGetOptions): KvValueType {
  const type = typeof options === 'string' ? options : (options?.type ?? 'text')
  if (!['text', 'json', 'arrayBuffer', 'stream'].includes(type)) {
    throw refusal(`Unknown response type "${String(type)}": use text, json, arrayBuffer or stream.`)
  }
  return type
}

/** A value as bytes (KV takes strings, ArrayBuffers, views and streams); streams are read to the end, up to KV's limit. */
async function valueBytes(value: unknown): Promise<Uint8Array> {
  if (typeof value === 'string') return encodeText(value)
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  if (value instanceof ReadableStream) {
    const chunks: Uint8Array[] = []
    let total = 0
    const reader = (value as ReadableStream<Uint8Array>).getReader()
    for (;;) {
      const { done, value: chunk } = await reader.read()
      if (done) break
      total += chunk.byteLength
      if (total > KV_LIMITS.valueBytes) {
        await reader.cancel()
        throw refusal(`KV PUT failed: the value is larger than ${KV_LIMITS.valueBytes} bytes.`)
      }
      chunks.push(chunk)
    }
    return concatBytes(chunks)
  }
  throw refusal('KV put() takes a string, an ArrayBuffer, an ArrayBufferView or a ReadableStream.')
}
