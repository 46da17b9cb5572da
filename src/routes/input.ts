import type { HonoRequest } from 'hono'
import { PlatformError } from '../platform/errors'

export interface UploadForm {
  name: string
  script: string
}

/**
 * Reads the upload form (urlencoded or multipart). The `file` input is used only when the
 * `script` textarea is empty, so a pasted script always wins.
 */
export async function readUploadForm(request: HonoRequest): Promise<UploadForm> {
  let body: Record<string, string | File | (string | File)[]>
  try {
    body = await request.parseBody()
  } catch {
    throw new PlatformError('invalid_request', 'The form could not be read. Submit it from the upload page.')
  }
  const name = text(body.name).trim()
  let script = text(body.script)
  const file = body.file
  if (script.trim() === '' && file instanceof File && file.size > 0) {
    script = await file.text()
  }
  return { name, script }
}

/** Reads the script of an API upload: a JSON `{ "script": "…" }` body or the raw script text. */
export async function readApiScript(request: HonoRequest): Promise<string> {
  const type = request.header('content-type') ?? ''
  if (!/^application\/json\b/i.test(type)) return request.text()

  let body: unknown
  try {
    body = await request.json()
  } catch {
    throw new PlatformError('invalid_request', 'The body is not valid JSON. Send { "script": "…" } or the script itself as application/javascript.')
  }
  const script = (body as { script?: unknown } | null)?.script
  if (typeof script !== 'string') {
    throw new PlatformError('invalid_request', 'The JSON body needs a "script" string.')
  }
  return script
}

function text(value: string | File | (string | File)[] | undefined): string {
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : ''
}
