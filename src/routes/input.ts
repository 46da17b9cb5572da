import type { Context, HonoRequest } from 'hono'
import type { AppEnv } from '../context'
import type { RequestScope } from '../core/follow-up'
import type { GenericSchema, InferOutput } from 'valibot'
import { encodeText, fromBase64 } from '../lib/encoding'
import { readJsonTextWithin } from '../lib/json-budget'
import { truncate } from '../lib/format'
import type { BuildSource } from '../deploy/build'
import { bundleFromFiles, bundleFromScript } from '../deploy/bundle'
import { PlatformError } from '../core/errors'
import { parseInput } from '../core/schema'
import type { SettingsInput, UploadedFile } from '../core/model'
import type { ScriptLanguage } from '../deploy/projects'
import type { Upload } from '../deploy/deployer'
import type { SettingsFieldValues } from '../views/settings-fields'
import { invalid, parseSettingsForm, parseSettingsJson } from './settings-input'
import { deployJsonBody } from './bodies'

// Turns what a client sent (forms, JSON, raw scripts, headers) into the platform's typed input.
// Every malformed input is the client's error (400) with a message that says what to send.

type FormValue = string | File | (string | File)[]
type FormBody = Record<string, FormValue>

export interface UploadForm {
  name: string
  /** "script": the code box or module files; "project": a folder, files or a .zip for the builder. */
  mode: 'script' | 'project'
  script: string
  /** What the code box holds: JavaScript deploys as it is, TypeScript/TSX is built. */
  language: ScriptLanguage
  /** The project's files (folder picker and file picker), paths relative to the project. */
  projectFiles: UploadedFile[]
  /** A project as one .zip, when chosen. */
  archive: UploadedFile | undefined
  /** The project's entry module, when given. */
  entry: string
  /** Files from the `file` input(s); used when `script` is empty. */
  files: UploadedFile[]
  /** The main module among several files. */
  main: string
  label: string
  /** False when "preview only" was ticked: the name keeps serving its current deployment. */
  promote: boolean
  token: string | undefined
  /** The settings fields exactly as typed, to re-render the form. */
  fields: SettingsFieldValues
  /** The settings the fields describe (throws invalid_settings on malformed lines). */
  settings: () => SettingsInput
}

export interface ApiUpload {
  upload: Upload
  label: string | undefined
  settings: SettingsInput
}

/** Reads a posted form (urlencoded or multipart). */
export async function readForm(request: HonoRequest, options: { all?: boolean } = {}): Promise<FormBody> {
  try {
    return await request.parseBody({ all: options.all ?? false })
  } catch (error) {
    // A body over its route's cap (middleware/platform.ts) says so itself.
    if (error instanceof PlatformError) throw error
    throw new PlatformError('invalid_request', 'The form could not be read. Submit it from the platform’s pages.')
  }
}

/** Reads the upload form (fields `name`, `script`, `file` (one or more), `main`, `label`, `token`). */
export async function readUploadForm(request: HonoRequest): Promise<UploadForm> {
  const body = await readForm(request, { all: true })
  // A folder picker sends each file as "<folder>/<path>": the chosen folder's own name goes.
  const folder = (await readFiles(body.project_folder)).map((file) => ({
    ...file,
    name: file.name.replace(/^[^/]*\//, ''),
  }))
  return {
    name: field(body, 'name').trim(),
    mode: field(body, 'mode') === 'project' ? 'project' : 'script',
    script: field(body, 'script'),
    language: languageOf('', field(body, 'language') || undefined),
    projectFiles: [...folder, ...(await readFiles(body.project_files))],
    archive: (await readFiles(body.project_archive))[0],
    entry: field(body, 'entry').trim(),
    files: await readFiles(body.file),
    main: field(body, 'main'),
    label: field(body, 'label'),
    promote: promoteOption(field(body, 'promote') || undefined),
    token: formToken(body),
    fields: {
      vars: field(body, 'vars'),
      egress: field(body, 'egress'),
      egressHosts: field(body, 'egress_hosts'),
      egressSockets: field(body, 'egress_sockets'),
      storageKv: field(body, 'storage_kv'),
      storageSql: field(body, 'storage_sql'),
      publicCode: field(body, 'public_code'),
      cpuMs: field(body, 'cpu_ms'),
      subRequests: field(body, 'sub_requests'),
      crons: field(body, 'crons'),
      tags: field(body, 'tags'),
    },
    settings: () => ({ ...parseSettingsForm((name) => field(body, name)), ...cronsOfForm(body) }),
  }
}

/** `promote=false` (form checkbox or API query) deploys a candidate; absent or true promotes it. */
export function promoteOption(value: string | undefined): boolean {
  if (value === undefined || value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new PlatformError('invalid_request', `promote must be true or false, not "${truncate(value, 20)}".`)
}

/**
 * What the upload form deploys. Project mode: the .zip if one was chosen, else the folder and
 * files. Script mode: the code box wins (built first when it is TypeScript); the files are used
 * when it is empty — as modules, or as a project when they need a build.
 */
export function formUpload(form: UploadForm, maxBytes: number): Upload {
  if (form.mode === 'project') {
    if (form.archive) return projectOf([form.archive])
    return projectOf(form.projectFiles, form.entry || undefined)
  }
  if (form.script.trim() !== '' || form.files.length === 0) return scriptUpload(form.script, form.language, maxBytes)
  if (isProject(form.files)) return projectOf(form.files, form.main.trim() || undefined)
  return { kind: 'script', bundle: bundleFromFiles(form.files, form.main, maxBytes) }
}

/**
 * Reads an API upload. A ready-made Worker: the raw script (optional `?label=`), JSON
 * `{ "script", "label"? }`, or multipart/form-data with one part per module and optional `main`.
 * A project for the builder: `Content-Type: application/zip`; TypeScript as the raw body
 * (`application/typescript` or `?language=ts|tsx`) or JSON `{ "script", "language": "ts" }`; JSON
 * `{ "files": { "path": "text" or { "base64": "…" } }, "entry"? }`; or multipart whose parts are
 * named by their relative paths (any path with a folder, TypeScript, package.json or a .zip makes it a project).
 * JSON and multipart may carry `settings` and `label`.
 */
export async function readApiUpload(
  request: HonoRequest,
  { maxScriptBytes: maxBytes, maxFiles }: { maxScriptBytes: number; maxFiles: number },
): Promise<ApiUpload> {
  const type = request.header('content-type') ?? ''
  const label = request.query('label')
  if (/^application\/zip\b/i.test(type)) {
    return { upload: project({ zip: new Uint8Array(await request.arrayBuffer()) }), label, settings: {} }
  }
  if (/^multipart\/form-data\b/i.test(type)) {
    const body = await readForm(request, { all: true })
    const files = (await Promise.all(Object.values(body).map(readFiles))).flat()
    const settings = field(body, 'settings')
    const entry = field(body, 'entry') || undefined
    return {
      upload:
        entry || isProject(files)
          ? projectOf(files, entry)
          : { kind: 'script', bundle: bundleFromFiles(files, field(body, 'main'), maxBytes) },
      label: field(body, 'label') || label,
      settings: settings ? parseSettingsPart(settings) : {},
    }
  }
  if (!/^application\/json\b/i.test(type)) {
    return {
      upload: scriptUpload(await request.text(), languageOf(type, request.query('language')), maxBytes),
      label,
      settings: {},
    }
  }

  const body = await readUploadJson(request, maxFiles)
  const { script, files, entry, language, label: named } = parseInput(deployJsonBody, body)
  const settings = parseSettingsJson(body)
  if (files !== undefined) return { upload: project({ files: jsonFiles(files) }, entry), label: named, settings }
  return { upload: scriptUpload(script ?? '', languageOf('', language), maxBytes), label: named, settings }
}

/** A pasted script: JavaScript deploys as it is, TypeScript goes to the builder as a one-file project. */
export function scriptUpload(script: string, language: ScriptLanguage, maxBytes: number): Upload {
  if (language === 'js') return { kind: 'script', bundle: bundleFromScript(script, maxBytes) }
  if (script.trim() === '')
    throw new PlatformError('empty_script', 'The script is empty. Paste a Worker or choose a file.')
  return project({ files: { [`worker.${language}`]: script } })
}

/** Uploaded files as a project for the builder, paths as sent. */
export function projectOf(files: UploadedFile[], entry?: string): Upload {
  if (files.length === 1 && /\.zip$/i.test(files[0]?.name ?? '')) return project({ zip: bytesOf(files[0]!.content) })
  if (files.length === 0)
    throw new PlatformError('empty_script', 'The project has no files. Choose a folder, files or a .zip.')
  return project({ files: Object.fromEntries(files.map((file) => [file.name, file.content])) }, entry)
}

function project(source: BuildSource, entry?: string): Upload {
  return { kind: 'project', project: { source, ...(entry ? { entry } : {}) } }
}

/** Files that only a build can deploy: folders, TypeScript or JSX, a package.json, an archive. */
function isProject(files: UploadedFile[]): boolean {
  return files.some(({ name }) => name.includes('/') || name === 'package.json' || NEEDS_BUILD.test(name))
}

const NEEDS_BUILD = /\.(ts|tsx|mts|cts|jsx|zip)$/i

function languageOf(contentType: string, query: string | undefined): ScriptLanguage {
  const asked = query?.toLowerCase()
  if (asked === 'ts' || asked === 'typescript' || /typescript/i.test(contentType)) return 'ts'
  if (asked === 'tsx') return 'tsx'
  if (asked === undefined || asked === 'js' || asked === 'javascript') return 'js'
  throw new PlatformError('invalid_request', 'The language must be js, ts or tsx.')
}

/** `{ "path": "text" }`, or `{ "path": { "base64": "…" } }` for binary files (the shapes deployJsonBody let in). */
function jsonFiles(files: Record<string, string | { base64: string }>): Record<string, string | Uint8Array> {
  return Object.fromEntries(
    Object.entries(files).map(([path, content]): [string, string | Uint8Array] => {
      if (typeof content === 'string') return [path, content]
      try {
        return [path, fromBase64(content.base64)]
      } catch {
        throw new PlatformError('invalid_request', `"files.${path}.base64" is not valid base64.`)
      }
    }),
  )
}

function bytesOf(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? encodeText(content) : content
}

/** Reads a JSON body into what `schema` describes; its errors name the fields, in the endpoint's own words. */
export async function readJsonBody<S extends GenericSchema>(request: HonoRequest, schema: S): Promise<InferOutput<S>> {
  return parseInput(schema, await parseJsonBody(() => request.text(), 'The body is not valid JSON.'))
}

/** Values a JSON upload may hold per project file (`"path": { "base64": "…" }` is three separators). */
const JSON_VALUES_PER_FILE = 3
/** Values a JSON upload may hold besides its files: script, entry, label, settings. */
const JSON_VALUES_BESIDE_FILES = 1_000

/**
 * Reads a JSON upload, counting its values as it streams in: a files map of millions of empty
 * entries is refused after the first few thousand, before anything is parsed.
 */
async function readUploadJson(request: HonoRequest, maxFiles: number): Promise<unknown> {
  const maxValues = maxFiles * JSON_VALUES_PER_FILE + JSON_VALUES_BESIDE_FILES
  const tooMany = () =>
    new PlatformError(
      'project_too_large',
      `The JSON body holds over ${maxValues} values; a project may have at most ${maxFiles} files (MAX_PROJECT_FILES).`,
    )
  return parseJsonBody(
    () => readJsonTextWithin(request.raw.body, maxValues, tooMany),
    'The body is not valid JSON. Send { "script": "…" } or the script itself as application/javascript.',
  )
}

async function parseJsonBody(read: () => Promise<string>, malformed: string): Promise<unknown> {
  const text = await read()
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new PlatformError('invalid_request', malformed)
  }
}

/** What a change made by this request carries along: its background work and its client (for the audit log). */
export function requestScope(c: Context<AppEnv>): RequestScope {
  const clientIp = c.req.header('CF-Connecting-IP')
  return { waitUntil: (promise) => requestScope(c).waitUntil(promise), ...(clientIp ? { clientIp } : {}) }
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

/** The form's `crons` field, one expression per line; a form without the field keeps the current ones. */
function cronsOfForm(body: FormBody): Pick<SettingsInput, 'crons'> {
  if (body.crons === undefined) return {}
  return {
    crons: field(body, 'crons')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean),
  }
}

async function readFiles(value: FormValue | undefined): Promise<UploadedFile[]> {
  const files = (Array.isArray(value) ? value : [value]).filter(
    (item): item is File => item instanceof File && item.size > 0,
  )
  return Promise.all(
    files.map(async (file) => ({
      name: file.name,
      // Bytes: a project may hold images; text modules are decoded where they become modules.
      content: new Uint8Array(await file.arrayBuffer()),
    })),
  )
}

/** The multipart upload's `settings` part: a JSON object of settings. */
function parseSettingsPart(text: string): SettingsInput {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw invalid('The "settings" field must be a JSON object.')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('The "settings" field must be a JSON object.')
  }
  return parseSettingsJson(value)
}
