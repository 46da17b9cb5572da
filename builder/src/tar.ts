import { concatBytes } from '../../src/lib/encoding'

/**
 * A streaming reader of the tar archives npm packs (ustar, with pax or GNU long names): fed the
 * decompressed bytes chunk by chunk, it keeps only the regular files `keep` accepts, so no more
 * than one package's wanted files is ever held. Entries whose path is absolute or climbs out with
 * ".." are dropped.
 */
export class TarReader {
  readonly files = new Map<string, Uint8Array>()
  private readonly header = new Uint8Array(512)
  private headerBytes = 0
  private body: { path: string | undefined; type: number; chunks: Uint8Array[]; size: number } | undefined
  private remaining = 0
  private padding = 0
  private nextPath: string | undefined
  private ended = false

  constructor(private readonly keep: (path: string) => boolean) {}

  push(data: Uint8Array): void {
    let offset = 0
    while (offset < data.byteLength && !this.ended) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, data.byteLength - offset)
        this.body?.chunks.push(data.slice(offset, offset + take))
        this.remaining -= take
        offset += take
        if (this.remaining === 0) this.finishEntry()
      } else if (this.padding > 0) {
        const skip = Math.min(this.padding, data.byteLength - offset)
        this.padding -= skip
        offset += skip
      } else {
        const take = Math.min(512 - this.headerBytes, data.byteLength - offset)
        this.header.set(data.subarray(offset, offset + take), this.headerBytes)
        this.headerBytes += take
        offset += take
        if (this.headerBytes === 512) this.startEntry()
      }
    }
  }

  private startEntry(): void {
    this.headerBytes = 0
    if (this.header.every((byte) => byte === 0)) {
      this.ended = true
      return
    }
    const size = readSize(this.header.subarray(124, 136))
    const type = this.header[156] ?? 0
    const path = this.nextPath ?? headerPath(this.header)
    if (type !== TYPE.paxHeader && type !== TYPE.gnuLongName) this.nextPath = undefined
    // Metadata entries are kept to read the next entry's path; regular files only if wanted.
    const isMetadata = type === TYPE.paxHeader || type === TYPE.gnuLongName
    const wanted = isMetadata || (isRegularFile(type) && this.keep(path))
    this.body = wanted ? { path, type, chunks: [], size } : undefined
    this.remaining = size
    this.padding = (512 - (size % 512)) % 512
    if (size === 0) this.finishEntry()
  }

  private finishEntry(): void {
    const body = this.body
    this.body = undefined
    if (!body) return
    const content = concatBytes(body.chunks)
    if (body.type === TYPE.paxHeader) {
      this.nextPath = paxPath(content) ?? this.nextPath
    } else if (body.type === TYPE.gnuLongName) {
      this.nextPath = cString(content)
    } else if (body.path !== undefined) {
      const safe = safePath(body.path)
      if (safe !== undefined) this.files.set(safe, content)
    }
  }
}

const TYPE = { paxHeader: 0x78 /* x */, gnuLongName: 0x4c /* L */ } as const

function isRegularFile(type: number): boolean {
  return type === 0x30 /* 0 */ || type === 0 || type === 0x37 /* 7: contiguous */
}

function headerPath(header: Uint8Array): string {
  const name = cString(header.subarray(0, 100))
  const isUstar = cString(header.subarray(257, 262)) === 'ustar'
  const prefix = isUstar ? cString(header.subarray(345, 500)) : ''
  return prefix === '' ? name : `${prefix}/${name}`
}

/** Octal digits, or (GNU, for large files) a big-endian number after a 0x80 byte. */
function readSize(field: Uint8Array): number {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let size = 0
    for (const byte of field.subarray(1)) size = size * 256 + byte
    return size
  }
  const size = parseInt(cString(field).trim() || '0', 8)
  return Number.isSafeInteger(size) && size >= 0 ? size : 0
}

/** pax records: "<length> <key>=<value>\n" … */
function paxPath(content: Uint8Array): string | undefined {
  for (const record of new TextDecoder().decode(content).split('\n')) {
    const match = /^\d+ path=(.*)$/s.exec(record)
    if (match) return match[1]
  }
  return undefined
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0)
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end))
}

function safePath(path: string): string | undefined {
  const segments = path
    .replaceAll('\\', '/')
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
  if (path.startsWith('/') || segments.length === 0 || segments.includes('..')) return undefined
  return segments.join('/')
}
