import type { HonoRequest } from 'hono'
import { PlatformError } from '../platform/errors'

export interface UploadForm {
  name: string
  script: string
  label: string
  token: string | undefined
}

type FormBody = Record<string, string | File | (string | File)[]>

/** Reads a posted form (urlencoded or multipart); a malformed body is the client's error (400). */
export async function readForm(request: HonoRequest): Promise<FormBody> {
  try {
    return await request.parseBody()
  } catch {
    throw new PlatformError('invalid_request', 'The form could not be read. Submit it from the platform’s pages.')
  }
}

/**
 * Reads the upload form. The `file` input is used only when the `script` textarea is empty, so a
 * pasted script always wins.
 */
export async function readUploadForm(request: HonoRequest): Promise<UploadForm> {
  const body = await readForm(request)
  const name = field(body, 'name').trim()
  let script = field(body, 'script')
  const file = body.file
  if (script.trim() === '' && file instanceof File && file.size > 0) {
    script = await file.text()
  }
  return { name, script, label: field(body, 'label'), token: formToken(body) }
}

export function formToken(body: FormBody): string | undefined {
  return field(body, 'token').trim() || undefined
}

/** The deploy (or admin) token of an API call: `Authorization: Bearer <token>`. */
export function bearerToken(request: HonoRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.header('authorization') ?? '')
  return match?.[1]
}

export interface ApiUpload {
  script: string
  label: string | undefined
}

/**
 * Reads an API upload: a JSON `{ "script": "…", "label"?: "…" }` body, or the raw script text with
 * an optional `?label=` query parameter.
 */
export async function readApiUpload(request: HonoRequest): Promise<ApiUpload> {
  const type = request.header('content-type') ?? ''
  if (!/^application\/json\b/i.test(type)) return { script: await request.text(), label: request.query('label') }

  const body = await readJson(request)
  const { script, label } = (body ?? {}) as { script?: unknown; label?: unknown }
  if (typeof script !== 'string') {
    throw new PlatformError('invalid_request', 'The JSON body needs a "script" string.')
  }
  return { script, label: typeof label === 'string' ? label : undefined }
}

/** Reads a JSON body; malformed JSON is the client's error (400). */
export async function readJson(request: HonoRequest): Promise<unknown> {
  try {
    return await request.json()
  } catch {
    throw new PlatformError('invalid_request', 'The body is not valid JSON. Send { "script": "…" } or the script itself as application/javascript.')
  }
}

export function field(body: FormBody, name: string): string {
  const value = body[name]
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : ''
}
