import { unzipSync } from 'fflate'
import type { BuildLimits, BuildSource } from '../../src/deploy/build'
import { BuildFailed } from './failure'
import { errorMessage } from '../../src/lib/errors'

/** A project's files by normalised relative path ("src/index.ts"), as bytes. */
export type ProjectFiles = Map<string, Uint8Array>

const encoder = new TextEncoder()

/**
 * The request's files (or its zip, unpacked), checked against the limits and for safe paths.
 * Everything becomes bytes here; what is text is decided later, per file.
 */
export function readSource(source: BuildSource, limits: BuildLimits): ProjectFiles {
  const entries = 'zip' in source ? unzip(source.zip, limits) : Object.entries(source.files)
  if (entries.length > limits.maxFiles) {
    throw BuildFailed.limit(
      'maxFiles',
      `The project has ${entries.length} files; at most ${limits.maxFiles} are allowed.`,
    )
  }
  const files: ProjectFiles = new Map()
  let total = 0
  for (const [rawPath, content] of entries) {
    const path = normalisePath(rawPath)
    const bytes = typeof content === 'string' ? encoder.encode(content) : content
    if (bytes.byteLength > limits.maxFileBytes) {
      throw BuildFailed.limit(
        'maxFileBytes',
        `${path} is ${bytes.byteLength} bytes; one file may be at most ${limits.maxFileBytes} bytes.`,
      )
    }
    total += bytes.byteLength
    if (total > limits.maxTotalBytes) {
      throw BuildFailed.limit('maxTotalBytes', `The project is over ${limits.maxTotalBytes} bytes in total.`)
    }
    if (files.has(path)) throw BuildFailed.user(`${path} appears twice in the project.`, { file: path })
    files.set(path, bytes)
  }
  if (files.size === 0) throw BuildFailed.user('The project has no files.')
  return files
}

/**
 * A relative path with "/" separators and no "." segments. Anything that could leave the project
 * (absolute, "..", a drive letter, NUL) is refused rather than cleaned up: it is never an accident.
 */
export function normalisePath(rawPath: string): string {
  const path = rawPath.replaceAll('\\', '/')
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path) || path.includes('\0')) {
    throw BuildFailed.user(`File path "${rawPath}" must be relative to the project.`, { file: rawPath })
  }
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.')
  if (segments.includes('..')) {
    throw BuildFailed.user(`File path "${rawPath}" must not contain "..".`, { file: rawPath })
  }
  if (segments.length === 0) throw BuildFailed.user(`File path "${rawPath}" is empty.`)
  return segments.join('/')
}

function unzip(zip: Uint8Array, limits: BuildLimits): [string, Uint8Array][] {
  let count = 0
  let total = 0
  let archive: Record<string, Uint8Array>
  try {
    // The filter sees each entry's declared size before it is inflated: a zip bomb is refused
    // without being unpacked. (The sizes are checked again on the real bytes in readSource.)
    archive = unzipSync(zip, {
      filter: (entry) => {
        if (entry.name.endsWith('/')) return false
        count += 1
        total += entry.originalSize
        if (count > limits.maxFiles) {
          throw BuildFailed.limit('maxFiles', `The zip archive has over ${limits.maxFiles} files.`)
        }
        if (entry.originalSize > limits.maxFileBytes) {
          throw BuildFailed.limit(
            'maxFileBytes',
            `${entry.name} is ${entry.originalSize} bytes; one file may be at most ${limits.maxFileBytes} bytes.`,
          )
        }
        if (total > limits.maxTotalBytes) {
          throw BuildFailed.limit('maxTotalBytes', `The zip archive is over ${limits.maxTotalBytes} bytes unpacked.`)
        }
        return true
      },
    })
  } catch (error) {
    if (error instanceof BuildFailed) throw error
    throw BuildFailed.user(`The zip archive could not be read: ${errorMessage(error)}`)
  }
  return stripSharedFolder(Object.entries(archive))
}

/** "my-app/src/index.ts" → "src/index.ts" when every entry sits in the same top-level folder. */
function stripSharedFolder(entries: [string, Uint8Array][]): [string, Uint8Array][] {
  const first = entries[0]?.[0].replaceAll('\\', '/')
  const slash = first?.indexOf('/') ?? -1
  if (!first || slash <= 0) return entries
  const folder = first.slice(0, slash + 1)
  if (!entries.every(([name]) => name.replaceAll('\\', '/').startsWith(folder))) return entries
  return entries.map(([name, content]) => [name.replaceAll('\\', '/').slice(folder.length), content])
}
