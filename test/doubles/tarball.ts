import { Gzip, gzipSync } from 'fflate'
import { concatBytes } from '../../src/lib/encoding.ts'

/**
 * An npm tarball: a gzipped ustar archive with every file under package/, as `npm pack` makes.
 * Just enough tar for the builder tests (regular files, names under 100 bytes).
 */
export function npmTarball(files: Record<string, string>): Uint8Array {
  const encoder = new TextEncoder()
  const blocks: Uint8Array[] = []
  for (const [path, content] of Object.entries(files)) {
    const body = encoder.encode(content)
    blocks.push(
      tarHeader(`package/${path}`, body.byteLength),
      body,
      new Uint8Array((512 - (body.byteLength % 512)) % 512),
    )
  }
  blocks.push(new Uint8Array(1024)) // two zero blocks end the archive
  return gzipSync(concatBytes(blocks))
}

function tarHeader(name: string, size: number): Uint8Array {
  const header = new Uint8Array(512)
  const put = (offset: number, value: string) => header.set(new TextEncoder().encode(value), offset)
  if (new TextEncoder().encode(name).byteLength > 99) throw new Error(`tar name too long: ${name}`)
  put(0, name)
  put(100, '0000644\0')
  put(108, '0000000\0')
  put(116, '0000000\0')
  put(124, `${size.toString(8).padStart(11, '0')}\0`)
  put(136, '00000000000\0')
  put(148, '        ') // the checksum counts its own field as spaces
  put(156, '0')
  put(257, 'ustar\0')
  put(263, '00')
  const checksum = header.reduce((sum, byte) => sum + byte, 0)
  put(148, `${checksum.toString(8).padStart(6, '0')}\0 `)
  return header
}

/**
 * A tarball that inflates to far more than it weighs: one file of `size` spaces (valid, empty
 * JavaScript), compressed as it is generated, so the test never holds the inflated archive.
 */
export function npmTarballBomb(path: string, size: number): Uint8Array {
  const parts: Uint8Array[] = []
  const gzip = new Gzip({ level: 9 }, (chunk) => parts.push(chunk))
  gzip.push(tarHeader(`package/${path}`, size))
  const spaces = new Uint8Array(1024 * 1024).fill(0x20)
  for (let left = size; left > 0; left -= spaces.byteLength)
    gzip.push(spaces.subarray(0, Math.min(left, spaces.byteLength)))
  gzip.push(new Uint8Array(((512 - (size % 512)) % 512) + 1024), true)
  return concatBytes(parts)
}
