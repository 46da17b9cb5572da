import { Gunzip } from 'fflate'
import type { ByteBudget } from './budget'
import { TarReader } from './tar'

/**
 * Compressed input is fed to the inflater in slices this small: deflate expands at most ~1,032×,
 * so one slice yields at most ~8.5 MB before the budgets are checked again (smaller slices cost
 * time: 1 KiB slices inflate typescript's 24 MB in 1 s, 8 KiB ones in 0.25 s).
 */
const SLICE_BYTES = 8192

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
  const gunzip = new Gunzip((data) => {
    for (const budget of budgets.decompressed) budget.spend(data.byteLength)
    tar.push(data)
  })
  for await (const chunk of chunks) {
    budgets.compressed.spend(chunk.byteLength)
    for (let offset = 0; offset < chunk.byteLength; offset += SLICE_BYTES) {
      gunzip.push(chunk.subarray(offset, offset + SLICE_BYTES))
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
