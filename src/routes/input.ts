import type { HonoRequest } from 'hono'
import { bundleFromFiles, bundleFromScript } from '../platform/bundle'
import { PlatformError } from '../platform/errors'
import type { EgressPolicy, SettingsInput, UploadedFile, WorkerBundle } from '../platform/model'
import type { SettingsFieldValues } from '../views/settings-fields'

// Turns what a client sent (forms, JSON, raw scripts, headers) into the platform's typed input.
// Every malformed input is the client's error (400) with a message that says what to send.

type FormValue = string | File | (string | File)[]
type FormBody = Record<string, FormValue>

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

export interface ApiUpload {
  bundle: WorkerBundle
  label: string | undefined
  settings: SettingsInput
}

/** Reads a posted form (urlencoded or multipart). */
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
      egressSockets: field(body, 'egress_sockets'),
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

/**
 * Reads an API upload: the raw script (optional `?label=`), a JSON `{ "script", "label"? }` body, or
 * multipart/form-data with one part per file and optional `main`, `label` and `settings` fields.
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
      settings: settings ? parseSettingsJson(parseJsonObject(settings)) : {},
    }
  }
  if (!/^application\/json\b/i.test(type)) {
    return { bundle: bundleFromScript(await request.text(), maxBytes), label: request.query('label'), settings: {} }
  }

  const body = await readJson(request)
  const { script, label, ...rest } = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  if (typeof script !== 'string') throw new PlatformError('invalid_request', 'The JSON body needs a "script" string.')
  return {
    bundle: bundleFromScript(script, maxBytes),
    label: typeof label === 'string' ? label : undefined,
    settings: parseSettingsJson(rest),
  }
}

/** Reads a JSON body. */
export async function readJson(request: HonoRequest): Promise<unknown> {
  try {
    return await request.json()
  } catch {
    throw new PlatformError(
      'invalid_request',
      'The body is not valid JSON. Send { "script": "…" } or the script itself as application/javascript.',
    )
  }
}

/** The deploy (or admin) token of an API call: `Authorization: Bearer <token>`. */
export function bearerToken(request: HonoRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.header('authorization') ?? '')
  return match?.[1]
}

/** The deploy (or admin) token of a form post. */
export function formToken(body: FormBody): string | undefined {
  return field(body, 'token').trim() || undefined
}

/** A text field of a form; absent, a file, or blank all read as "". */
export function field(body: Partial<FormBody>, name: string): string {
  const value = body[name]
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : ''
}

/**
 * Reads settings from the upload form: `vars` and `secrets` as KEY=value lines (a `-KEY` line
 * deletes one; names not mentioned are kept), `egress`, `egress_hosts` and `egress_sockets`, `cpu_ms`,
 * `sub_requests`.
 * Values are checked by the platform (settings.ts); this only reads their shape.
 */
export function parseSettingsForm(field: (name: string) => string): SettingsInput {
  const input: SettingsInput = { vars: changeLines(field('vars')), secrets: changeLines(field('secrets')) }
  const mode = field('egress')
  if (mode) {
    input.egress = {
      mode: mode as EgressPolicy['mode'],
      hosts: field('egress_hosts')
        .split(/[\s,]+/)
        .filter(Boolean),
      sockets: field('egress_sockets') === 'on',
    }
  }
  const cpuMs = field('cpu_ms').trim()
  const subRequests = field('sub_requests').trim()
  if (cpuMs || subRequests) {
    input.limits = {}
    if (cpuMs) input.limits.cpuMs = Number(cpuMs)
    if (subRequests) input.limits.subRequests = Number(subRequests)
  }
  return input
}

/** Checks the shape of settings sent as JSON (the API); values are checked by the platform. */
export function parseSettingsJson(raw: Record<string, unknown>): SettingsInput {
  const input: SettingsInput = {}
  if (raw.vars !== undefined) input.vars = stringMap(raw.vars, 'vars')
  if (raw.secrets !== undefined) input.secrets = stringMap(raw.secrets, 'secrets')
  if (raw.egress !== undefined) {
    if (!isRecord(raw.egress)) throw invalid('"egress" must be { "mode": …, "hosts": [ … ] }.')
    const { mode, hosts = [], sockets } = raw.egress
    if (!Array.isArray(hosts)) throw invalid('"egress.hosts" must be a list of host names.')
    input.egress = { mode: mode as EgressPolicy['mode'], hosts: hosts.map(String) }
    if (sockets !== undefined) input.egress.sockets = sockets as boolean // checked by the platform
  }
  if (raw.limits !== undefined) {
    if (!isRecord(raw.limits)) throw invalid('"limits" must be { "cpuMs": …, "subRequests": … }.')
    input.limits = {}
    for (const key of ['cpuMs', 'subRequests'] as const) {
      const value = raw.limits[key]
      if (value === undefined) continue
      if (typeof value !== 'number') throw invalid(`"limits.${key}" must be a number.`)
      input.limits[key] = value
    }
  }
  return input
}

async function readFiles(value: FormValue | undefined): Promise<UploadedFile[]> {
  const files = (Array.isArray(value) ? value : [value]).filter(
    (item): item is File => item instanceof File && item.size > 0,
  )
  return Promise.all(
    files.map(async (file) => ({
      name: file.name,
      content: /\.wasm$/i.test(file.name) ? new Uint8Array(await file.arrayBuffer()) : await file.text(),
    })),
  )
}

function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    if (isRecord(value)) return value
  } catch {
    // reported below
  }
  throw invalid('The "settings" field must be a JSON object.')
}

/** `KEY=value` sets, `-KEY` deletes. */
function changeLines(text: string): Record<string, string | null> {
  const changes: Record<string, string | null> = {}
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (!line) return
    const at = line.indexOf('=')
    if (line.startsWith('-') && at === -1) changes[line.slice(1).trim()] = null
    else if (at > 0) changes[line.slice(0, at).trim()] = line.slice(at + 1)
    // The line itself is not repeated: it may be a secret value pasted on its own.
    else throw invalid(`Line ${index + 1} is not KEY=value (or -KEY to delete).`)
  })
  return changes
}

function stringMap(value: unknown, name: string): Record<string, string | null> {
  if (!isRecord(value)) throw invalid(`"${name}" must be an object of names to strings.`)
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string' && entry !== null) {
      throw invalid(`"${name}.${key}" must be a string, or null to delete it.`)
    }
  }
  return value as Record<string, string | null>
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function invalid(message: string): PlatformError {
  return new PlatformError('invalid_settings', message)
}
