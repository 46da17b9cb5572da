import type { HonoRequest } from 'hono'
import { bundleFromFiles, bundleFromScript, type UploadedFile, type WorkerBundle } from '../platform/bundle'
import { PlatformError } from '../platform/errors'
import { parseSettingsForm, parseSettingsInput, type SettingsInput } from '../platform/settings'
import type { SettingsFieldValues } from '../views/settings-fields'

export interface UploadForm {
  name: string
  script: string
  /** Files from the `file` input(s); used when `script` is empty. */
  files: UploadedFile[]
  /** The main module among several files. */
  main: string
  label: string
  token: string | undefined
  /** The settings fields exactly as typed, to re-render the form. */
  fields: SettingsFieldValues
  /** The settings the fields describe (throws invalid_settings on malformed lines). */
  settings: () => SettingsInput
}

type FormValue = string | File | (string | File)[]
type FormBody = Record<string, FormValue>

/** Reads a posted form (urlencoded or multipart); a malformed body is the client's error (400). */
export async function readForm(request: HonoRequest, options: { all?: boolean } = {}): Promise<FormBody> {
  try {
    return await request.parseBody({ all: options.all ?? false })
  } catch {
    throw new PlatformError('invalid_request', 'The form could not be read. Submit it from the platform’s pages.')
  }
}

/** Reads the upload form (fields `name`, `script`, `file` (one or more), `main`, `label`, `token`). */
export async function readUploadForm(request: HonoRequest): Promise<UploadForm> {
  const body = await readForm(request, { all: true })
  return {
    name: field(body, 'name').trim(),
    script: field(body, 'script'),
    files: await readFiles(body.file),
    main: field(body, 'main'),
    label: field(body, 'label'),
    token: formToken(body),
    fields: {
      vars: field(body, 'vars'),
      egress: field(body, 'egress'),
      egressHosts: field(body, 'egress_hosts'),
      cpuMs: field(body, 'cpu_ms'),
      subRequests: field(body, 'sub_requests'),
    },
    settings: () => parseSettingsForm((name) => field(body, name)),
  }
}

/** The bundle of an upload: the pasted script wins; the files are used when it is empty. */
export function uploadBundle(upload: Pick<UploadForm, 'script' | 'files' | 'main'>, maxBytes: number): WorkerBundle {
  if (upload.script.trim() !== '' || upload.files.length === 0) return bundleFromScript(upload.script, maxBytes)
  return bundleFromFiles(upload.files, upload.main, maxBytes)
}

async function readFiles(value: FormValue | undefined): Promise<UploadedFile[]> {
  const files = (Array.isArray(value) ? value : [value]).filter((item): item is File => item instanceof File && item.size > 0)
  return Promise.all(
    files.map(async (file) => ({
      name: file.name,
      content: /\.wasm$/i.test(file.name) ? new Uint8Array(await file.arrayBuffer()) : await file.text(),
    })),
  )
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
  bundle: WorkerBundle
  label: string | undefined
  settings: SettingsInput
}

/**
 * Reads an API upload: the raw script (optional `?label=`), a JSON `{ "script", "label"? }` body, or
 * multipart/form-data with one part per file and optional `main` and `label` fields.
 */
export async function readApiUpload(request: HonoRequest, maxBytes: number): Promise<ApiUpload> {
  const type = request.header('content-type') ?? ''
  if (/^multipart\/form-data\b/i.test(type)) {
    const body = await readForm(request, { all: true })
    const files = (await Promise.all(Object.values(body).map(readFiles))).flat()
    const settings = field(body, 'settings')
    return {
      bundle: bundleFromFiles(files, field(body, 'main'), maxBytes),
      label: field(body, 'label') || undefined,
      settings: settings ? parseSettingsInput(parseJsonObject(settings)) : {},
    }
  }
  if (!/^application\/json\b/i.test(type)) {
    return { bundle: bundleFromScript(await request.text(), maxBytes), label: request.query('label'), settings: {} }
  }

  const body = await readJson(request)
  const { script, label, ...rest } = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  if (typeof script !== 'string') {
    throw new PlatformError('invalid_request', 'The JSON body needs a "script" string.')
  }
  return {
    bundle: bundleFromScript(script, maxBytes),
    label: typeof label === 'string' ? label : undefined,
    settings: parseSettingsInput(rest),
  }
}

function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // reported below
  }
  throw new PlatformError('invalid_settings', 'The "settings" field must be a JSON object.')
}

/** Reads a JSON body; malformed JSON is the client's error (400). */
export async function readJson(request: HonoRequest): Promise<unknown> {
  try {
    return await request.json()
  } catch {
    throw new PlatformError('invalid_request', 'The body is not valid JSON. Send { "script": "…" } or the script itself as application/javascript.')
  }
}

export function field(body: Partial<FormBody>, name: string): string {
  const value = body[name]
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : ''
}
