import { toBase64 } from '../../lib/encoding'

/** One exported KV entry: the key, its value (text, or base64 for bytes that are not UTF-8), metadata, expiration. */
export type ExportedKvEntry = { key: string; metadata?: unknown; expiration?: number } & (
  { value: string } | { base64: string }
)

/** Characters of a value per piece of the export (a piece is one chunk of the response). */
export const KV_EXPORT_PIECE_CHARS = 64 * 1024

/**
 * How many values are requested ahead of the one being written, to overlap KV's latency (an export
 * of many small keys). Their bodies are streams read only in their turn; but local KV hands a value
 * over whole when it is asked for, so each value asked ahead is in memory (8 ahead: workerd grew
 * 239 MiB exporting four 20 MB values). With 2, at most three values (KV allows 25 MiB each).
 */
export const KV_EXPORT_READ_AHEAD = 2

type KvKey = { name: string; expiration?: number }
type PendingValue = Promise<KVNamespaceGetWithMetadataResult<ReadableStream, unknown>>

/**
 * The keys under `prefix` as JSON lines (ExportedKvEntry), listed page by page and written value
 * by value, each line in pieces of at most KV_EXPORT_PIECE_CHARS characters of the value.
 */
export function exportKvEntries(kv: KVNamespace, prefix: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const keys: KvKey[] = []
  const requested: { key: KvKey; value: PendingValue }[] = []
  let listCursor: string | undefined
  let listed = false
  let pieces: Iterator<string> | undefined

  /** Fills the read-ahead window from the listed keys, listing the next page when they run out. */
  async function nextRequest() {
    while (requested.length < KV_EXPORT_READ_AHEAD) {
      if (keys.length === 0 && !listed) {
        const page = await kv.list({ prefix, ...(listCursor ? { cursor: listCursor } : {}) })
        keys.push(...page.keys)
        if (page.list_complete) listed = true
        else listCursor = page.cursor
      }
      const key = keys.shift()
      if (!key) break
      const value = kv.getWithMetadata(key.name, 'stream')
      value.catch(() => {}) // a failure is thrown where the value is read, in its turn
      requested.push({ key, value })
    }
    return requested.shift()
  }

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const piece = pieces?.next()
        if (piece && !piece.done) return controller.enqueue(encoder.encode(piece.value))
        pieces = undefined
        const next = await nextRequest()
        if (!next) return controller.close()
        const { value, metadata } = await next.value
        if (value === null) continue // expired or deleted since the list
        const bytes = await new Response(value).arrayBuffer()
        pieces = entryPieces(next.key.name.slice(prefix.length), bytes, metadata, next.key.expiration)
      }
    },
    async cancel() {
      // Values requested ahead and never read: their bodies are released.
      await Promise.all(requested.splice(0).map(async ({ value }) => (await value).value?.cancel()))
    },
  })
}

/** One entry's JSON line, the value cut into pieces (JSON.parse of the line gives an ExportedKvEntry). */
function* entryPieces(key: string, bytes: ArrayBuffer, metadata: unknown, expiration?: number): Generator<string> {
  const text = utf8(bytes)
  yield `{"key":${JSON.stringify(key)},"${text === undefined ? 'base64' : 'value'}":"`
  if (text === undefined) {
    // Whole groups of 3 bytes per piece, so the pieces' base64 joins into the value's.
    const step = Math.floor(KV_EXPORT_PIECE_CHARS / 4) * 3
    for (let i = 0; i < bytes.byteLength; i += step)
      yield toBase64(new Uint8Array(bytes, i, Math.min(step, bytes.byteLength - i)))
  } else {
    // A surrogate pair cut in two is escaped as two \u sequences, which JSON.parse joins again.
    for (let i = 0; i < text.length; i += KV_EXPORT_PIECE_CHARS) {
      yield JSON.stringify(text.slice(i, i + KV_EXPORT_PIECE_CHARS)).slice(1, -1)
    }
  }
  const rest = `${metadata != null ? `,"metadata":${JSON.stringify(metadata)}` : ''}${expiration ? `,"expiration":${expiration}` : ''}`
  yield `"${rest}}\n`
}

function utf8(bytes: ArrayBuffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return undefined
  }
}
