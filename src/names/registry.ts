import type { WorkerList, WorkerRecord, WorkerSummary } from '../core/model'
import type { Background } from '../core/follow-up'
import { storedRecordSchema, storedSummarySchema } from '../core/model-schemas'
import { parseStored } from '../core/schema'
import { looseObject, nullable, string, type GenericSchema } from 'valibot'

const PREFIX = 'workers/'
const recordKey = (name: string) => `${PREFIX}${name}`
// Outside PREFIX, so the worker list never sees them.
const previewKey = (previewId: string) => `previews/${previewId}`
/** A custom domain that serves (domains/): which worker, and the owner it was claimed for. */
export const hostKey = (hostname: string) => `hosts/${hostname}`

/** The worker a custom hostname serves, as its CustomDomain object writes it. */
export interface HostTarget {
  name: string
  ownerId: string
}
const hostTargetSchema: GenericSchema<HostTarget> = looseObject({ name: string(), ownerId: string() })

type CacheEntry = { record: WorkerRecord | null; expiresAt: number; refreshing?: boolean }

/**
 * A record read in the last second before it expires is re-read in the background: a name that
 * gets requests steadily never makes one wait on KV, and no record is served older than the TTL.
 * Every busy name still costs one KV read per TTL (MAPPING_CACHE_SECONDS) in every isolate.
 */
const REFRESH_AHEAD_MS = 1_000

/**
 * The name → Worker ID mapping in Workers KV: the fast read path of dispatch (the name's Durable
 * Object is the authority; see name-claim.do.ts). Reads for dispatch go through a small in-isolate cache so
 * that steady-state traffic costs no KV read; this isolate's own writes refresh it immediately.
 */
export class Registry {
  private readonly cache = new Map<string, CacheEntry>()
  private readonly previews = new Map<string, { name: string | null; expiresAt: number }>()
  private readonly hosts = new Map<string, { target: HostTarget | null; expiresAt: number }>()
  // The home page's first page: a KV list is the slowest read the platform makes (remote in
  // production, a scan of the namespace locally), and the list is eventually consistent anyway.
  private firstPage: { limit: number; list: WorkerList; expiresAt: number } | undefined

  constructor(
    private readonly kv: KVNamespace,
    private readonly cacheTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Hot path: the current record for a name, possibly up to `cacheTtlMs` old. With `background`,
   * a record close to its expiry is refreshed there (see REFRESH_AHEAD_MS).
   */
  async lookup(name: string, background?: Background): Promise<WorkerRecord | null> {
    const cached = this.cache.get(name)
    const now = this.now()
    if (cached && cached.expiresAt > now) {
      if (background && !cached.refreshing && cached.expiresAt - now <= REFRESH_AHEAD_MS) {
        this.refresh(name, cached, background)
      }
      return cached.record
    }
    return this.remember(name, await this.read(name))
  }

  private refresh(name: string, entry: CacheEntry, background: Background): void {
    entry.refreshing = true
    const read = this.read(name).then(
      // Unless this isolate has written the name meanwhile: its own write is newer than this read.
      (record) => void (this.cache.get(name) === entry && this.remember(name, record)),
      () => void (entry.refreshing = false),
    )
    background.waitUntil(read)
  }

  /** Fresh read for writes and management pages. */
  async get(name: string): Promise<WorkerRecord | null> {
    return this.remember(name, await this.read(name))
  }

  private async read(name: string): Promise<WorkerRecord | null> {
    const stored: unknown = await this.kv.get(recordKey(name), 'json')
    return parseStored(storedRecordSchema, stored, `The KV record of "${name}"`)
  }

  /** Writes a committed record. The cache takes it first: even if KV fails, this isolate serves what was committed. */
  async put(record: WorkerRecord): Promise<void> {
    this.remember(record.name, record)
    this.firstPage = undefined
    const tags = record.deployments.find((entry) => entry.workerId === record.workerId)?.settings?.tags
    const summary: WorkerSummary = {
      name: record.name,
      workerId: record.workerId,
      updatedAt: record.updatedAt,
      ...(tags?.length ? { tags } : {}),
    }
    await this.kv.put(recordKey(record.name), JSON.stringify(record), { metadata: summary })
  }

  async delete(name: string): Promise<void> {
    this.remember(name, null)
    this.firstPage = undefined
    await this.kv.delete(recordKey(name))
  }

  /**
   * Which name a preview ID belongs to (host-form previews carry no name). Written once per
   * deployment and never changed, so it is cached like records; a deleted one just misses.
   */
  async previewName(previewId: string): Promise<string | null> {
    const key = previewKey(previewId)
    const cached = this.previews.get(key)
    if (cached && cached.expiresAt > this.now()) return cached.name
    const name = await this.kv.get(key)
    if (this.previews.size >= MAX_CACHED_NAMES) this.previews.delete(this.previews.keys().next().value as string)
    this.previews.set(key, { name, expiresAt: this.now() + this.cacheTtlMs })
    return name
  }

  /**
   * Which worker a custom hostname serves, cached like names (MAPPING_CACHE_SECONDS): a hostname
   * removed or moved stops serving within that. Unknown hosts are cached too, so a flood of them
   * costs one KV read each per period.
   */
  async hostTarget(hostname: string): Promise<HostTarget | null> {
    const cached = this.hosts.get(hostname)
    if (cached && cached.expiresAt > this.now()) return cached.target
    const stored: unknown = await this.kv.get(hostKey(hostname), 'json')
    const target = parseStored(nullable(hostTargetSchema), stored, `The KV mapping of host "${hostname}"`)
    if (this.hosts.size >= MAX_CACHED_NAMES) this.hosts.delete(this.hosts.keys().next().value as string)
    this.hosts.set(hostname, { target, expiresAt: this.now() + this.cacheTtlMs })
    return target
  }

  putPreview(previewId: string, name: string): Promise<void> {
    return this.kv.put(previewKey(previewId), name)
  }

  deletePreview(previewId: string): Promise<void> {
    this.previews.delete(previewKey(previewId))
    return this.kv.delete(previewKey(previewId))
  }

  /**
   * The workers tagged `tag`, from the list's metadata: pages of KV's list are read (at most
   * TAG_SCAN_PAGES per call) until `limit` workers match; the cursor goes on from there. A page may
   * hold more than `limit` (a whole KV page's matches), and like the list it may lag by a minute.
   */
  async listTagged(tag: string, options: { limit: number; cursor?: string }): Promise<WorkerList> {
    const workers: WorkerSummary[] = []
    let cursor = options.cursor
    for (let page = 0; page < TAG_SCAN_PAGES; page++) {
      const read = await this.readPage({ limit: TAG_SCAN_PAGE_SIZE, ...(cursor ? { cursor } : {}) })
      workers.push(...read.workers.filter((worker) => worker.tags?.includes(tag)))
      cursor = read.cursor
      if (!cursor || workers.length >= options.limit) break
    }
    return cursor ? { workers, cursor } : { workers }
  }

  /** A page of the worker list; the first one may be up to `cacheTtlMs` old, except after this isolate's own writes. */
  async list(options: { limit: number; cursor?: string }): Promise<WorkerList> {
    const cached = this.firstPage
    if (!options.cursor && cached && cached.limit === options.limit && cached.expiresAt > this.now()) return cached.list
    const list = await this.readPage(options)
    if (!options.cursor && this.cacheTtlMs > 0) {
      this.firstPage = { limit: options.limit, list, expiresAt: this.now() + this.cacheTtlMs }
    }
    return list
  }

  private async readPage(options: { limit: number; cursor?: string }): Promise<WorkerList> {
    const page = await this.kv.list({ prefix: PREFIX, limit: options.limit, cursor: options.cursor })
    const workers = page.keys.map(({ name, metadata }): WorkerSummary => {
      const key = name.slice(PREFIX.length)
      const summary = parseStored(storedSummarySchema, metadata, `The KV metadata of "${key}"`)
      return summary ?? { name: key, workerId: '', updatedAt: '' }
    })
    return page.list_complete ? { workers } : { workers, cursor: page.cursor }
  }

  private remember(name: string, record: WorkerRecord | null): WorkerRecord | null {
    // Bounded: a flood of lookups for random names must not grow the isolate's memory without limit.
    if (this.cache.size >= MAX_CACHED_NAMES && !this.cache.has(name)) {
      this.cache.delete(this.cache.keys().next().value as string)
    }
    this.cache.set(name, { record, expiresAt: this.now() + this.cacheTtlMs })
    return record
  }
}

const MAX_CACHED_NAMES = 10_000
/** A filtered list reads KV's list 1,000 keys at a time, at most 10 times per call. */
const TAG_SCAN_PAGE_SIZE = 1_000
const TAG_SCAN_PAGES = 10
