import { concatBytes, toBase64 } from '../lib/encoding'

/** One exported KV entry: the key, its value (text, or base64 for bytes that are not UTF-8), metadata, expiration. */
export type ExportedKvEntry = { key: string; metadata?: unknown; expiration?: number } & (
  { value: string } | { base64: string }
)

/** Characters of a value per piece of the export (a piece is one chunk of the response). */
export const KV_EXPORT_PIECE_CHARS = 64 * 1024

/**
 * Values up to this size are read whole, once. A larger one (KV allows 25 MiB) is streamed twice —
 * once to tell UTF-8 text from bytes, keeping nothing, once to write it out piece by piece — so the
 * export holds at most this much of any value. (Read whole, four 20 MB values grew workerd 239 MiB.)
 */
export const KV_EXPORT_WHOLE_BYTES = 1024 * 1024

type KvKey = { name: string; expiration?: number }

/**
 * The keys under `prefix` as JSON lines (ExportedKvEntry), listed page by page and written value
 * by value, each line in pieces of at most KV_EXPORT_PIECE_CHARS characters of the value. One value
 * is read at a time: local KV hands a value over whole when it is asked for, so a value asked for
 * ahead is a value in memory.
 */
export function exportKvEntries(kv: KVNamespace, prefix: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const pieces = exportLines(kv, prefix)
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await pieces.next()
      if (next.done) controller.close()
      else controller.enqueue(encoder.encode(next.value))
    },
    async cancel() {
      await pieces.return(undefined)
    },
  })
}

async function* exportLines(kv: KVNamespace, prefix: string): AsyncGenerator<string, void, undefined> {
  let cursor: string | undefined
  for (;;) {
    const page = await kv.list({ prefix, ...(cursor ? { cursor } : {}) })
    for (const key of page.keys) yield* entryPieces(kv, key, key.name.slice(prefix.length))
    if (page.list_complete) return
    cursor = page.cursor
  }
}

/** One entry's JSON line, the value cut into pieces (JSON.parse of the line gives an ExportedKvEntry). */
async function* entryPieces(kv: KVNamespace, key: KvKey, name: string): AsyncGenerator<string, void, undefined> {
  const { value, metadata } = await readValue(kv, key.name)
  if (value === null) return // expired or deleted since the list
  const opening = (kind: 'value' | 'base64') => `{"key":${JSON.stringify(name)},"${kind}":"`
  const closing = `"${metadata != null ? `,"metadata":${JSON.stringify(metadata)}` : ''}${key.expiration ? `,"expiration":${key.expiration}` : ''}}\n`
  const head = await readUpTo(value, KV_EXPORT_WHOLE_BYTES)
  if (head.complete) {
    const text = utf8(head.bytes)
    yield opening(text === undefined ? 'base64' : 'value')
    yield* text === undefined ? base64Pieces([head.bytes]) : textPieces(text)
    yield closing
    return
  }
  const isText = await isUtf8(head.bytes, head.reader)
  const again = (await readValue(kv, key.name)).value
  if (again === null) return // deleted while it was being read
  yield opening(isText ? 'value' : 'base64')
  yield* isText ? streamedTextPieces(again) : base64Pieces(again)
  yield closing
}

/** A value as a byte stream (KV's types say `any` for the chunks; they are bytes). */
async function readValue(kv: KVNamespace, name: string) {
  const { value, metadata } = await kv.getWithMetadata(name, 'stream')
  return { value: value as ReadableStream<Uint8Array> | null, metadata }
}

/** The stream's first bytes up to `max`; `complete` when that was all of it, else the reader goes on. */
async function readUpTo(stream: ReadableStream<Uint8Array>, max: number) {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  while (size <= max) {
    const { done, value } = await reader.read()
    if (done) return { complete: true as const, bytes: concatBytes(chunks) }
    chunks.push(value)
    size += value.byteLength
  }
  return { complete: false as const, bytes: concatBytes(chunks), reader }
}

/** Whether `head` and the rest of `reader` are UTF-8, checked piece by piece and kept nowhere. */
async function isUtf8(head: Uint8Array, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  try {
    decoder.decode(head, { stream: true })
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      decoder.decode(next.value, { stream: true })
    }
    decoder.decode()
    return true
  } catch {
    await reader.cancel()
    return false
  }
}

/** A surrogate pair cut in two is escaped as two \u sequences, which JSON.parse joins again. */
function* textPieces(text: string): Generator<string> {
  for (let i = 0; i < text.length; i += KV_EXPORT_PIECE_CHARS) {
    yield JSON.stringify(text.slice(i, i + KV_EXPORT_PIECE_CHARS)).slice(1, -1)
  }
}

async function* streamedTextPieces(stream: ReadableStream<Uint8Array>): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })
  for await (const chunk of stream) yield* textPieces(decoder.decode(chunk, { stream: true }))
  yield* textPieces(decoder.decode())
}

/** Whole groups of 3 bytes per piece, so the pieces' base64 joins into the value's. */
async function* base64Pieces(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<string, void, undefined> {
  const step = Math.floor(KV_EXPORT_PIECE_CHARS / 4) * 3
  let carried = new Uint8Array(0)
  for await (const chunk of chunks) {
    const bytes = carried.byteLength ? concatBytes([carried, chunk]) : chunk
    const whole = bytes.byteLength - (bytes.byteLength % 3)
    for (let i = 0; i < whole; i += step) yield toBase64(bytes.subarray(i, Math.min(i + step, whole)))
    carried = bytes.slice(whole)
  }
  if (carried.byteLength) yield toBase64(carried)
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return undefined
  }
}
