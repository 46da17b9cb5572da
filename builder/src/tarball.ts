import { Gunzip } from 'fflate'
import type { ByteBudget } from './budget'
import { TarReader } from './tar'

/**
 * Compressed input is fed to the inflater in slices: at most SLICE_BYTES, and smaller while the
 * data inflates far (deflate expands up to ~1,032×), so no slice yields much more than
 * YIELD_EVERY_BYTES before the budgets are checked and other work may run. Ordinary packages
 * (typescript inflates ~5×) keep 8 KiB slices: 1 KiB slices inflated its 24 MB in 1 s, 8 KiB in 0.25 s.
 */
const SLICE_BYTES = 8192
const MIN_SLICE_BYTES = 256

/**
 * Inflating is synchronous work: under `wrangler dev` the builder shares workerd's one thread with
 * the platform, so a 32 MB package held every other request for seconds (a tarball bomb refused at
 * MAX_PACKAGE_BYTES stalled GET / 2.1 s). After this much output it lets other work run first.
 */
const YIELD_EVERY_BYTES = 256 * 1024

/**
 * An npm tarball (gzipped tar) streamed from `chunks` into its files, decompressing as it goes.
 * Every decompressed byte is charged to each budget (one package's, the whole build's) as it is
 * produced, and the first budget passed throws: the rest is neither decompressed nor downloaded.
 * The compressed bytes are charged to the package budget too (a package is never smaller packed).
 */
export async function extractTarball(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  budgets: { compressed: ByteBudget; decompressed: ByteBudget[] },
  keep: (path: string) => boolean,
): Promise<Map<string, Uint8Array>> {
  const tar = new TarReader(keep)
  let sinceYield = 0
  const gunzip = new Gunzip((data) => {
    for (const budget of budgets.decompressed) budget.spend(data.byteLength)
    sinceYield += data.byteLength
    tar.push(data)
  })
  // The first slice is small too: a bomb may be one slice long.
  let slice = 1024
  for await (const chunk of chunks) {
    budgets.compressed.spend(chunk.byteLength)
    for (let offset = 0; offset < chunk.byteLength;) {
      const before = sinceYield
      const piece = chunk.subarray(offset, offset + slice)
      gunzip.push(piece)
      offset += piece.byteLength
      const ratio = (sinceYield - before) / piece.byteLength
      slice = Math.max(MIN_SLICE_BYTES, Math.min(SLICE_BYTES, Math.floor(YIELD_EVERY_BYTES / Math.max(ratio, 1))))
      if (sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0
        await new Promise((resolve) => setTimeout(resolve, 0))
      }
    }
  }
  gunzip.push(new Uint8Array(0), true)
  return withoutSharedRoot(tar.files)
}

/** npm removes the one folder every file sits in ("package/"), whatever its name. */
function withoutSharedRoot(files: Map<string, Uint8Array>): Map<string, Uint8Array> {
  const roots = new Set([...files.keys()].map((path) => (path.includes('/') ? path.split('/')[0] : '')))
  const [root] = roots
  if (roots.size !== 1 || !root) return files
  return new Map([...files].map(([path, content]) => [path.slice(root.length + 1), content]))
}
