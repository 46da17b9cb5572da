// Correctness under load: several uploaders push new versions of one worker while readers stream
// requests to it. Every response must be 200 and come from a version that was live around the
// time of the request: never a 5xx, never a version nobody had uploaded yet (or whose upload
// failed), never one that had already been replaced before the request started.
//
// Bounded: a fixed number of uploads, readers stop shortly after the last one (and at a hard cap),
// and all traffic goes to the loopback server the harness started.
import { upload, uploadOrThrow } from './lib/client.mjs'
import { versionScript } from './user-script.mjs'

const NAME = 'raced'
const READERS = 8
const UPLOADERS = 4
const UPLOADS_EACH = 15
const TAIL_MS = 300
const MAX_READ_MS = 30_000

async function uploader(base, id, token, uploads) {
  for (let i = 0; i < UPLOADS_EACH; i++) {
    const version = `${NAME} u${id}-${i}`
    const start = performance.now()
    const result = await upload(base, NAME, versionScript(version), token)
    uploads.push({ version, start, end: performance.now(), ok: result.ok, status: result.status })
  }
}

async function reader(base, shouldStop, reads) {
  while (!shouldStop()) {
    const start = performance.now()
    let status = 0
    let body
    try {
      const response = await fetch(`${base}/user-workers/${NAME}`)
      status = response.status
      body = await response.text()
    } catch (error) {
      body = String(error)
    }
    reads.push({ start, end: performance.now(), status, body })
  }
}

/**
 * Why a read is wrong, or null. `uploads` are the successful ones, sorted by completion time.
 * Superseded = its upload finished before another one started, and that other one finished before
 * this request started (so even the slower of two racing uploads cannot explain it).
 */
function classify(read, byVersion, uploads) {
  if (read.status >= 500 || read.status === 0) return '5xx'
  if (read.status !== 200) return 'non-200'
  const served = byVersion.get(read.body)
  if (!served || !served.ok || served.start > read.end) return 'unknown version'
  const superseding = uploads.find((other) => other.end < read.start && other.start > served.end)
  return superseding ? 'superseded version' : null
}

export async function checkOldOrNew(base) {
  const created = { version: `${NAME} v0`, start: performance.now() }
  const token = await uploadOrThrow(base, NAME, versionScript(created.version))
  Object.assign(created, { end: performance.now(), ok: true, status: 201 })

  const uploads = [created]
  const reads = []
  let writersDoneAt = Infinity
  const readStart = performance.now()
  const shouldStop = () => {
    const now = performance.now()
    return now > writersDoneAt + TAIL_MS || now > readStart + MAX_READ_MS
  }
  const readers = Array.from({ length: READERS }, () => reader(base, shouldStop, reads))
  await Promise.all(Array.from({ length: UPLOADERS }, (_, id) => uploader(base, id, token, uploads)))
  writersDoneAt = performance.now()
  await Promise.all(readers)

  const byVersion = new Map(uploads.map((entry) => [entry.version, entry]))
  const succeeded = uploads.filter((entry) => entry.ok)
  const problems = {}
  for (const read of reads) {
    const problem = classify(read, byVersion, succeeded)
    if (problem) problems[problem] = (problems[problem] ?? 0) + 1
  }
  const failedUploads = uploads.filter((entry) => !entry.ok)
  return {
    readers: READERS,
    uploaders: UPLOADERS,
    reads: reads.length,
    uploads: uploads.length - 1,
    failedUploads: failedUploads.length,
    failedUploadStatuses: [...new Set(failedUploads.map((entry) => entry.status))],
    versionsSeen: new Set(reads.map((read) => read.body)).size,
    problems,
    bad: Object.values(problems).reduce((sum, count) => sum + count, 0),
  }
}
