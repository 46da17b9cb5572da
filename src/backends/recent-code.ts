import type { StoredCode } from './code-store'

/** How much just-stored code an isolate keeps in memory, in encoded bytes (a 1 MB bundle fills an eighth). */
export const RECENT_CODE_BYTES = 8 * 1024 * 1024
/** How long it keeps it: the first requests after a deploy, when its owner tries it. */
export const RECENT_CODE_MS = 60_000

interface Entry {
  code: StoredCode
  bytes: number
  until: number
}

/**
 * Code this isolate has just stored, kept in memory for a short while, so that the first load of a
 * new deployment — usually its owner trying it, in the same location and often the same isolate —
 * does not read back from KV what this isolate wrote a moment ago. Code under a Worker ID never
 * changes, so an entry can never be stale, only gone (`drop` on removal). Bounded in bytes and time:
 * past either, loads read KV as any other isolate does.
 */
export class RecentCode {
  private readonly entries = new Map<string, Entry>()
  private bytes = 0

  constructor(
    private readonly maxBytes = RECENT_CODE_BYTES,
    private readonly ttlMs = RECENT_CODE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps `code` (`bytes` long as stored) for the next loads; the oldest entries make room. */
  keep(workerId: string, code: StoredCode, bytes: number): void {
    this.drop(workerId)
    if (bytes > this.maxBytes) return
    // Insertion order is age order: the first entries are the oldest.
    for (const [id, entry] of this.entries) {
      if (this.bytes + bytes <= this.maxBytes && entry.until > this.now()) break
      this.drop(id)
    }
    this.entries.set(workerId, { code, bytes, until: this.now() + this.ttlMs })
    this.bytes += bytes
  }

  /** The code kept for `workerId`, unless it is older than the time bound. */
  get(workerId: string): StoredCode | undefined {
    const entry = this.entries.get(workerId)
    if (!entry) return undefined
    if (entry.until > this.now()) return entry.code
    this.drop(workerId)
    return undefined
  }

  drop(workerId: string): void {
    const entry = this.entries.get(workerId)
    if (!entry) return
    this.entries.delete(workerId)
    this.bytes -= entry.bytes
  }
}
