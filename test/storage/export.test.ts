import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { exportKvEntries, KV_EXPORT_PIECE_CHARS, KV_EXPORT_WHOLE_BYTES } from '../../src/storage/kv-export'
import { DUMP_CHUNK_CHARS, dumpChunks } from '../../src/storage/sql-dump'
import { exportSql, sqlObject } from '../../src/storage/store'
import { claimedRef } from '../helpers'

const RPC_MESSAGE_LIMIT = 32 * 1024 * 1024
const BLOB_BYTES = 1_800_000
const BLOB_ROWS = 10

/** Reads a stream to its end, keeping only what the checks need: sizes, and the text's ends. */
async function readChunks(stream: ReadableStream<Uint8Array>, onChunk: (chunk: Uint8Array) => void = () => {}) {
  let total = 0
  let largest = 0
  for await (const chunk of stream) {
    total += chunk.byteLength
    largest = Math.max(largest, chunk.byteLength)
    onChunk(chunk)
  }
  return { total, largest }
}

describe('SQL export', () => {
  it('streams a database whose dump is larger than one RPC message (32 MiB), in bounded chunks', async () => {
    const ref = await claimedRef('export')
    // Written inside the object, past the test config's 1 MiB TENANT_SQL_MAX_BYTES: 18 MB of blobs, 36 MB as hex.
    await runInDurableObject(sqlObject(env, ref), (_instance, state) => {
      state.storage.sql.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB)')
      for (let i = 0; i < BLOB_ROWS; i++)
        state.storage.sql.exec('INSERT INTO blobs (b) VALUES (zeroblob(?))', BLOB_BYTES)
    })
    const decoder = new TextDecoder()
    let head = ''
    let tail = ''
    const { total } = await readChunks(await exportSql(env, ref), (chunk) => {
      if (head.length < 200) head += decoder.decode(chunk.subarray(0, 200))
      tail = (tail + decoder.decode(chunk.subarray(-200))).slice(-200)
    })
    const row = (id: number) => `INSERT INTO "blobs" VALUES(${id},X'${'00'.repeat(BLOB_BYTES)}');\n`
    const expected = 'PRAGMA defer_foreign_keys=TRUE;\nCREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB);\n'
    expect(total).toBeGreaterThan(RPC_MESSAGE_LIMIT)
    expect(total).toBe(
      expected.length + Array.from({ length: BLOB_ROWS }, (_, i) => row(i + 1).length).reduce((a, b) => a + b),
    )
    expect(head.startsWith(expected)).toBe(true)
    expect(tail.endsWith(`${'00'.repeat(50)}');\n`)).toBe(true)

    // The object produces it chunk by chunk: one holds at most about twice DUMP_CHUNK_CHARS (ASCII here).
    await runInDurableObject(sqlObject(env, ref), (_instance, state) => {
      let chunks = 0
      let largest = 0
      for (const chunk of dumpChunks(state.storage.sql)) {
        chunks += 1
        largest = Math.max(largest, chunk.length)
      }
      expect(largest).toBeLessThanOrEqual(2 * DUMP_CHUNK_CHARS + 2)
      expect(chunks).toBeGreaterThan(total / (2 * DUMP_CHUNK_CHARS))
    })
  }, 30_000) // a 32 MiB dump: about 6 s at a load of 11 on 2 cores, 1–2 s alone

  it('cuts long text between chunks without breaking quotes or surrogate pairs', async () => {
    const ref = await claimedRef('export')
    // Quotes and emoji (surrogate pairs) on both sides of every cut.
    const text = "O'Neil 😀 ".repeat(Math.ceil((3 * DUMP_CHUNK_CHARS) / 10))
    await sqlObject(env, ref).query([
      { sql: 'CREATE TABLE notes (body TEXT)', params: [] },
      { sql: 'INSERT INTO notes VALUES (?)', params: [text] },
    ])
    const dump = await new Response(await exportSql(env, ref)).text()
    expect(dump).toContain(`INSERT INTO "notes" VALUES('${text.replace(/'/g, "''")}');\n`)
    expect(dump).not.toContain('\uFFFD')
  })
})

/**
 * KV with values as streams. It counts the values whose bytes it has handed out in full and, each
 * time, how many of them the export's reader has not yet received the line of: values in memory.
 */
function fakeKv(entries: Map<string, Uint8Array>, pageSize: number, { eager = false } = {}) {
  const state = {
    delivered: 0,
    linesRead: 0,
    mostInFlight: 0,
    pulledBytes: 0,
    pulledAtLastChunk: 0,
    reads: {} as Record<string, number>,
  }
  const deliver = () => {
    state.delivered += 1
    state.mostInFlight = Math.max(state.mostInFlight, state.delivered - state.linesRead)
  }
  const names = [...entries.keys()].sort()
  const body = (bytes: Uint8Array) => {
    let offset = 0
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.byteLength) {
          if (!eager) deliver()
          return controller.close()
        }
        const piece = bytes.slice(offset, offset + 16 * 1024)
        state.pulledBytes += piece.byteLength
        controller.enqueue(piece)
        offset += 16 * 1024
      },
    })
  }
  const kv = {
    list({ prefix, cursor }: { prefix: string; cursor?: string }) {
      const start = Number(cursor ?? 0)
      const keys = names.filter((name) => name.startsWith(prefix)).slice(start, start + pageSize)
      const complete = start + pageSize >= names.length
      return Promise.resolve({
        keys: keys.map((name) => ({ name })),
        list_complete: complete,
        ...(complete ? {} : { cursor: String(start + pageSize) }),
      })
    },
    getWithMetadata(name: string, type: string) {
      const bytes = entries.get(name) ?? new Uint8Array()
      state.reads[name] = (state.reads[name] ?? 0) + 1
      // Local KV reads a value whole when it is asked for, stream or not (measured: held in memory).
      if (type !== 'stream' || eager) deliver()
      const value = type === 'stream' ? body(bytes) : bytes.slice().buffer
      return Promise.resolve({ value, metadata: name.endsWith('1') ? { n: 1 } : null })
    },
  }
  return { kv: kv as unknown as KVNamespace, state }
}

describe('KV export', () => {
  it('reads values one at a time while it writes them, in pieces of bounded size', async () => {
    const text = (char: string) => new TextEncoder().encode(char.repeat(200 * 1024))
    const entries = new Map<string, Uint8Array>()
    for (let i = 0; i < 10; i++) entries.set(`w/o/key${i}`, text(String(i)))
    // Not UTF-8 (base64), and text with a surrogate pair across a piece's end.
    entries.set('w/o/binary', new Uint8Array(100 * 1024).fill(255))
    entries.set('w/o/emoji', new TextEncoder().encode(`${'x'.repeat(KV_EXPORT_PIECE_CHARS - 1)}😀"\\`))
    const { kv, state } = fakeKv(entries, 20)

    const decoder = new TextDecoder()
    let output = ''
    const { largest } = await readChunks(exportKvEntries(kv, 'w/o/'), (chunk) => {
      const piece = decoder.decode(chunk, { stream: true })
      output += piece
      state.linesRead += piece.split('\n').length - 1
    })
    // Values read but not yet written out: the one being written, and the one the stream reads ahead.
    expect(state.mostInFlight).toBeLessThanOrEqual(2)
    expect(largest).toBeLessThanOrEqual(6 * KV_EXPORT_PIECE_CHARS)

    const lines = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines).toHaveLength(12)
    expect(lines.find((line) => line.key === 'key1')).toEqual({
      key: 'key1',
      value: '1'.repeat(200 * 1024),
      metadata: { n: 1 },
    })
    expect(lines.find((line) => line.key === 'binary')).toEqual({
      key: 'binary',
      base64: btoa('\xff'.repeat(100 * 1024)),
    })
    expect(lines.find((line) => line.key === 'emoji')).toEqual({
      key: 'emoji',
      value: `${'x'.repeat(KV_EXPORT_PIECE_CHARS - 1)}😀"\\`,
    })
  })

  it('streams a value larger than KV_EXPORT_WHOLE_BYTES, text or bytes, holding no more of it than that', async () => {
    const size = 3 * KV_EXPORT_WHOLE_BYTES + 5
    const text = new TextEncoder().encode('ab😀"'.repeat(Math.ceil(size / 7)).slice(0, size))
    const binary = new Uint8Array(size).map((_, i) => (i * 7 + 255) % 256)
    const entries = new Map([
      ['w/o/big-text', text],
      ['w/o/big-binary', binary],
    ])
    entries.set('w/o/small', new TextEncoder().encode('small'))
    const { kv, state } = fakeKv(entries, 10)
    const decoder = new TextDecoder()
    let output = ''
    let mostPulledBetweenChunks = 0
    const { largest } = await readChunks(exportKvEntries(kv, 'w/o/'), (chunk) => {
      output += decoder.decode(chunk, { stream: true })
      mostPulledBetweenChunks = Math.max(mostPulledBetweenChunks, state.pulledBytes - state.pulledAtLastChunk)
      state.pulledAtLastChunk = state.pulledBytes
    })
    const lines = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { key: string; value?: string; base64?: string })
    expect(lines.find((line) => line.key === 'big-text')?.value).toBe(new TextDecoder().decode(text))
    const decoded = Uint8Array.from(atob(lines.find((line) => line.key === 'big-binary')?.base64 ?? ''), (c) =>
      c.charCodeAt(0),
    )
    expect(decoded).toEqual(binary)
    // A large value is read twice, as streams: once to tell text from bytes (UTF-8 checked piece by
    // piece, kept nowhere), once to write it out; a small one once, whole.
    expect(state.reads).toEqual({ 'w/o/big-binary': 2, 'w/o/big-text': 2, 'w/o/small': 1 })
    // Between two chunks of output, at most a whole check pass (3 MB, kept nowhere) and the writing
    // pass's first reads, never more: the writing pass pulls 16 KiB per piece it writes.
    expect(mostPulledBetweenChunks).toBeLessThanOrEqual(size + 2 * 16 * 1024)
    expect(largest).toBeLessThanOrEqual(6 * KV_EXPORT_PIECE_CHARS)
  })

  it('holds at most 3 values where KV hands a value over whole when asked (as local KV does)', async () => {
    // Reading 8 ahead held four 20 MB values at once: workerd grew 239 MiB exporting 80 MB.
    const entries = new Map<string, Uint8Array>()
    for (let i = 0; i < 12; i++) entries.set(`w/o/key${i}`, new TextEncoder().encode(String(i).repeat(1024)))
    const { kv, state } = fakeKv(entries, 5, { eager: true })
    const decoder = new TextDecoder()
    await readChunks(exportKvEntries(kv, 'w/o/'), (chunk) => {
      state.linesRead += decoder.decode(chunk, { stream: true }).split('\n').length - 1
    })
    expect(state.delivered).toBe(12)
    expect(state.mostInFlight).toBeLessThanOrEqual(3)
  })
})
