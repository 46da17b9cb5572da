/**
 * Tables of the worker, not SQLite's or the runtime's own. Under `wrangler dev` Miniflare also keeps
 * the object's name in a table of every SQLite object (`__miniflare_do_name`); Cloudflare has none.
 */
export const OWN_TABLES = `name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name <> '__miniflare_do_name'`

/**
 * Characters of SQL text per chunk of a dump, about: a chunk ends at the first piece past it, and a
 * long value (SQLite allows 4 MB) is cut into pieces of at most this size, so a chunk holds at most
 * about twice it (a table's CREATE statement, which SQLite limits to 100 kB, may add to one).
 */
export const DUMP_CHUNK_CHARS = 64 * 1024

/**
 * A database's tables as an SQL script that recreates them (schema, then rows), as a stream read
 * lazily: each pull reads the next rows from SQLite's cursor, so memory holds one chunk whatever
 * the database's size, and the script crosses RPC as a stream, not as one message (32 MiB at most).
 * Rows written while it is read may or may not be in it (a Durable Object cannot hold a read
 * transaction across events).
 */
export function dumpStream(sql: SqlStorage): ReadableStream<Uint8Array> {
  const chunks = dumpChunks(sql)
  const encoder = new TextEncoder()
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.next()
      if (next.done) controller.close()
      else controller.enqueue(encoder.encode(next.value))
    },
    cancel() {
      chunks.return(undefined)
    },
  })
}

/** The dump's text in chunks of about DUMP_CHUNK_CHARS characters. */
export function* dumpChunks(sql: SqlStorage): Generator<string, void, undefined> {
  let buffer = 'PRAGMA defer_foreign_keys=TRUE;\n'
  const objects = sql
    .exec<{ type: string; name: string; sql: string }>(
      `SELECT type, name, sql FROM sqlite_master WHERE ${OWN_TABLES} AND sql IS NOT NULL ORDER BY type = 'table' DESC, rowid`,
    )
    .toArray()
  for (const object of objects) {
    buffer += `${object.sql};\n`
    if (buffer.length >= DUMP_CHUNK_CHARS) {
      yield buffer
      buffer = ''
    }
    if (object.type !== 'table') continue
    const table = quoteIdentifier(object.name)
    for (const row of sql.exec(`SELECT * FROM ${table}`).raw()) {
      buffer += `INSERT INTO ${table} VALUES(`
      for (let column = 0; column < row.length; column++) {
        if (column > 0) buffer += ','
        for (const piece of literalPieces(row[column] ?? null)) {
          buffer += piece
          if (buffer.length >= DUMP_CHUNK_CHARS) {
            yield buffer
            buffer = ''
          }
        }
      }
      buffer += ');\n'
    }
  }
  yield buffer
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

/** A value as an SQL literal, in pieces of at most DUMP_CHUNK_CHARS characters (text: half as many before quotes are doubled). */
function* literalPieces(value: SqlStorageValue): Generator<string, void, undefined> {
  if (value === null) return yield 'NULL'
  if (typeof value === 'number') return yield Number.isFinite(value) ? String(value) : 'NULL'
  if (value instanceof ArrayBuffer) {
    const bytes = new Uint8Array(value)
    yield "X'"
    for (let i = 0; i < bytes.length; i += DUMP_CHUNK_CHARS / 2) {
      yield Array.from(bytes.subarray(i, i + DUMP_CHUNK_CHARS / 2), (byte) => HEX[byte]).join('')
    }
    return yield "'"
  }
  yield "'"
  for (let i = 0; i < value.length;) {
    // Never between the halves of a surrogate pair: each chunk is encoded as UTF-8 on its own.
    let end = Math.min(i + DUMP_CHUNK_CHARS / 2, value.length)
    if (end < value.length && isHighSurrogate(value.charCodeAt(end - 1))) end += 1
    yield value.slice(i, end).replace(/'/g, "''")
    i = end
  }
  yield "'"
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}
