import semver from 'semver'
import type { BuildSuccess } from '../../src/deploy/build'

/**
 * Finished builds in this isolate, least recently used first out, bounded by count and by bytes
 * (an isolate has 128 MB). Keyed by buildKey(): a hit means the same scope (tenant) built the same files
 * against the same exact package versions, so the result would be identical.
 */
export class BuildCache {
  private readonly entries = new Map<string, { result: BuildSuccess; bytes: number }>()
  private bytes = 0

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get(key: string): BuildSuccess | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.result
  }

  set(key: string, result: BuildSuccess): void {
    const bytes = sizeOf(result)
    if (bytes > this.maxBytes) return
    this.delete(key)
    this.entries.set(key, { result, bytes })
    this.bytes += bytes
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break
      this.delete(oldest)
    }
  }

  get size(): number {
    return this.entries.size
  }

  private delete(key: string): void {
    const entry = this.entries.get(key)
    if (!entry) return
    this.entries.delete(key)
    this.bytes -= entry.bytes
  }
}

function sizeOf(result: BuildSuccess): number {
  const code = result.worker?.modules.reduce((sum, module) => sum + module.content.length, 0) ?? 0
  return code + result.assets.reduce((sum, asset) => sum + asset.size, 0)
}

/**
 * SHA-256 over everything that decides a build's output, in a fixed order, within a scope (the
 * tenant's). Versions must be exact: a range or a dist-tag ("latest") names different code over
 * time, so a key holding one would serve a stale build.
 */
export async function buildKey(parts: {
  scope: string
  files: Map<string, Uint8Array>
  versions: Map<string, string>
  options: unknown
}): Promise<string> {
  for (const [name, version] of parts.versions) {
    if (semver.valid(version) !== version) {
      throw new Error(`A build is cached by exact versions only; ${name} has "${version}".`)
    }
  }
  const encoder = new TextEncoder()
  const chunks: Uint8Array[] = [encoder.encode(JSON.stringify([parts.scope, parts.options]))]
  for (const path of [...parts.files.keys()].sort()) {
    const content = parts.files.get(path) as Uint8Array
    chunks.push(encoder.encode(`\0file\0${path}\0${content.byteLength}\0`), content)
  }
  for (const name of [...parts.versions.keys()].sort())
    chunks.push(encoder.encode(`\0dep\0${name}@${parts.versions.get(name)}`))
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0)
  const all = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    all.set(chunk, offset)
    offset += chunk.byteLength
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all))
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}
