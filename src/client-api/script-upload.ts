import {
  array,
  boolean,
  looseObject,
  number,
  object,
  optional,
  safeParse,
  string,
  unknown,
  variant,
  literal,
  picklist,
  union,
  type InferOutput,
} from 'valibot'
import { fromApiPart } from '../backends/modules'
import { PlatformError } from '../core/errors'
import type { AssetConfig, BundleModule, Compatibility, SettingsInput, WorkerBundle } from '../core/model'
import type { DeclaredEnv, UnsupportedDeclaration } from '../deploy/build'
import type { ObjectMigration } from '../objects/namespaces'
import { nothingDeclared } from '../deploy/declared'
import { resolveInherited, type ApiBinding } from './script-bindings'

// A script upload as `wrangler deploy` (and the Cloudflare API) sends it: a multipart body whose
// `metadata` part says the main module, the bindings and the runtime, and whose other parts are the
// modules. Read into the platform's own model — a bundle, the env the bindings declare (as a
// project's wrangler config would: deploy/declared.ts applies it), the secrets — never passed on:
// a binding of a kind the platform does not provide is refused by name, whatever it says.

const className = string()
const migrationStep = looseObject({
  new_classes: optional(array(className)),
  new_sqlite_classes: optional(array(className)),
  renamed_classes: optional(array(object({ from: className, to: className }))),
  deleted_classes: optional(array(className)),
  transferred_classes: optional(array(unknown())),
})

/** The bindings the platform provides, by the shapes the API gives them. */
const knownBinding = variant('type', [
  looseObject({ type: literal('plain_text'), name: string(), text: string() }),
  // Without text: an inherited secret, kept as it is.
  looseObject({ type: literal('secret_text'), name: string(), text: optional(string()) }),
  looseObject({ type: literal('json'), name: string(), json: unknown() }),
  looseObject({ type: literal('kv_namespace'), name: string(), namespace_id: optional(string()) }),
  looseObject({ type: literal('d1'), name: string(), id: optional(string()), database_name: optional(string()) }),
  looseObject({ type: literal('assets'), name: string() }),
  looseObject({
    type: literal('durable_object_namespace'),
    name: string(),
    class_name: string(),
    script_name: optional(string()),
  }),
])
const anyBinding = looseObject({ type: string(), name: string() })

const metadataSchema = looseObject({
  main_module: optional(string()),
  body_part: optional(string()),
  bindings: optional(array(anyBinding)),
  compatibility_date: optional(string()),
  compatibility_flags: optional(array(string())),
  migrations: optional(unknown()),
  assets: optional(
    looseObject({
      jwt: string(),
      config: optional(
        looseObject({
          html_handling: optional(
            picklist(['auto-trailing-slash', 'force-trailing-slash', 'drop-trailing-slash', 'none']),
          ),
          not_found_handling: optional(picklist(['single-page-application', '404-page', 'none'])),
          run_worker_first: optional(union([boolean(), array(string())])),
          _redirects: optional(string()),
          _headers: optional(string()),
        }),
      ),
    }),
  ),
  tail_consumers: optional(array(looseObject({ service: string() }))),
  // The script's own tags (deploy/tags.ts checks them); the platform adds its name: and owner: ones itself.
  tags: optional(array(string())),
  logpush: optional(boolean()),
  usage_model: optional(string()),
  limits: optional(looseObject({ cpu_ms: optional(number()) })),
})

type Metadata = InferOutput<typeof metadataSchema>
type AssetConfigInput = NonNullable<Metadata['assets']>['config']

/** What an upload deploys, in the platform's terms. */
export interface ScriptUpload {
  bundle: WorkerBundle
  compatibility?: Compatibility
  declared: DeclaredEnv
  /** Secrets the upload sets (secret_text bindings); names not mentioned are kept. */
  settings: SettingsInput
  /** The assets upload session it completes (asset-uploads.ts), and how its assets are served. */
  assets?: { jwt: string; config: AssetConfig }
}

const METADATA = 'metadata'

/**
 * The upload's form, read into a ScriptUpload; throws PlatformError (400) naming what is wrong or
 * refused. `current` gives the bindings the worker runs with now, asked only when the upload
 * inherits one.
 */
export async function readScriptUpload(form: FormData, current: () => Promise<ApiBinding[]>): Promise<ScriptUpload> {
  const raw = form.get(METADATA)
  if (raw === null) throw invalid('The upload has no "metadata" part.')
  const parsed = safeParse(metadataSchema, parseJson(typeof raw === 'string' ? raw : await raw.text()))
  if (!parsed.success) throw invalid(`The "metadata" part is not a script's metadata: ${parsed.issues[0].message}.`)
  const metadata = parsed.output
  const mainModule = metadata.main_module ?? metadata.body_part
  if (!mainModule) throw invalid('The metadata names no "main_module".')
  const modules: BundleModule[] = []
  for (const [field, value] of form.entries()) {
    if (field === METADATA || typeof value === 'string') continue
    // Source maps are for Cloudflare's stack traces; nothing here reads them.
    if (/^application\/source-map\b/i.test(value.type) || value.name.endsWith('.map')) continue
    if (/^application\/octet-stream\b/i.test(value.type)) {
      throw invalid(`"${value.name || field}": data modules (application/octet-stream) are not supported here.`)
    }
    modules.push(fromApiPart(value.name || field, value.type, new Uint8Array(await value.arrayBuffer())))
  }
  const main = modules.find((module) => module.name === mainModule)
  if (!main) throw invalid(`The main module "${mainModule}" is not among the upload's parts.`)
  if (metadata.body_part !== undefined) main.type = 'service-worker'
  return {
    bundle: { mainModule, modules },
    ...(metadata.compatibility_date
      ? { compatibility: { date: metadata.compatibility_date, flags: metadata.compatibility_flags ?? [] } }
      : {}),
    ...withTags(declaredOf(metadata, await inheritedFrom(metadata, current)), metadata.tags),
    ...(metadata.assets ? { assets: { jwt: metadata.assets.jwt, config: assetConfigOf(metadata.assets.config) } } : {}),
  }
}

/** An upload's tags join its settings; absent, the worker's are kept. */
function withTags<T extends { settings: SettingsInput }>(upload: T, tags: string[] | undefined): T {
  return tags === undefined ? upload : { ...upload, settings: { ...upload.settings, tags } }
}

/** Only the serving options the platform knows, those set. */
function assetConfigOf(config: AssetConfigInput | undefined): AssetConfig {
  return {
    ...(config?.html_handling ? { html_handling: config.html_handling } : {}),
    ...(config?.not_found_handling ? { not_found_handling: config.not_found_handling } : {}),
    ...(config?.run_worker_first !== undefined ? { run_worker_first: config.run_worker_first } : {}),
    ...(config?._redirects !== undefined ? { _redirects: config._redirects } : {}),
    ...(config?._headers !== undefined ? { _headers: config._headers } : {}),
  }
}

/** The bindings the worker runs with, when the upload inherits any (none otherwise: nothing is read). */
async function inheritedFrom(metadata: Metadata, current: () => Promise<ApiBinding[]>): Promise<ApiBinding[]> {
  return metadata.bindings?.some((binding) => binding.type === 'inherit') ? current() : []
}

/** The bindings (inherited ones as the worker has them) as a project's declared env, and the secrets they set. */
function declaredOf(metadata: Metadata, current: ApiBinding[]): { declared: DeclaredEnv; settings: SettingsInput } {
  const declared: DeclaredEnv = {
    ...nothingDeclared('the upload’s metadata'),
    durableObjects: [],
    objectMigrations: migrationsOf(metadata.migrations),
  }
  // A tail consumer is another Worker: tails of a tenant's worker go to its owner (wrangler tail).
  for (const consumer of metadata.tail_consumers ?? []) {
    declared.unsupported.push({ key: 'tail_consumers', kind: 'tail consumer', binding: consumer.service })
  }
  const secrets: Record<string, string> = {}
  for (const entry of resolveInherited(metadata.bindings ?? [], current)) {
    const known = safeParse(knownBinding, entry)
    if (!known.success) {
      declared.unsupported.push(unsupported(entry.type, entry.name))
      continue
    }
    const binding = known.output
    switch (binding.type) {
      case 'plain_text':
        declared.vars[binding.name] = binding.text
        break
      case 'secret_text':
        if (binding.text !== undefined) secrets[binding.name] = binding.text
        break
      case 'json':
        declared.jsonVars[binding.name] = JSON.stringify(binding.json)
        break
      case 'kv_namespace':
        declared.kv.push({ binding: binding.name, ...(binding.namespace_id ? { id: binding.namespace_id } : {}) })
        break
      case 'd1':
        declared.d1.push({
          binding: binding.name,
          ...(binding.id ? { databaseId: binding.id } : {}),
          ...(binding.database_name ? { databaseName: binding.database_name } : {}),
          migrationsDir: 'migrations',
        })
        break
      case 'assets':
        declared.assetsBinding = binding.name
        break
      case 'durable_object_namespace':
        if (binding.script_name !== undefined) {
          declared.unsupported.push({
            key: 'bindings',
            kind: `Durable Object namespace of another Worker ("${binding.script_name}")`,
            binding: binding.name,
          })
        } else declared.durableObjects?.push({ binding: binding.name, className: binding.class_name })
        break
    }
  }
  return { declared, settings: Object.keys(secrets).length > 0 ? { secrets } : {} }
}

/** Cloudflare's binding types, as a person reads them, for the refusal. */
const KINDS: Record<string, string> = {
  service: 'service binding',
  r2_bucket: 'R2 bucket',
  queue: 'Queue',
  ai: 'Workers AI',
  vectorize: 'Vectorize index',
  hyperdrive: 'Hyperdrive configuration',
  workflow: 'Workflow',
  analytics_engine: 'Analytics Engine dataset',
  browser: 'Browser Rendering',
  dispatch_namespace: 'dispatch namespace',
  mtls_certificate: 'mTLS certificate',
  send_email: 'Email binding',
  version_metadata: 'version metadata',
  secret_key: 'secret key',
  wasm_module: 'Wasm module binding',
  text_blob: 'text blob binding',
  data_blob: 'data blob binding',
}

function unsupported(type: string, name: string): UnsupportedDeclaration {
  return { key: 'bindings', kind: KINDS[type] ?? `binding of type "${type}"`, binding: name }
}

const migrationSteps = looseObject({ new_tag: optional(string()), steps: array(migrationStep) })

/**
 * The migrations the upload carries — `{ old_tag, new_tag, steps }`, or one step's fields flat — as
 * steps from the first: the platform answers no migration tag, so wrangler sends them all each time.
 */
function migrationsOf(migrations: unknown): ObjectMigration[] {
  if (migrations === undefined) return []
  const many = safeParse(migrationSteps, migrations)
  const one = safeParse(migrationStep, migrations)
  if (!many.success && !one.success) throw invalid('The metadata\'s "migrations" are not Durable Object migrations.')
  const steps = many.success ? many.output.steps : one.success ? [one.output] : []
  if (steps.some((step) => step.transferred_classes?.length)) {
    throw invalid('transferred_classes moves Durable Objects between Workers, which this platform does not do.')
  }
  const tag = (many.success && many.output.new_tag) || 'upload'
  return steps.map((step, index) => ({
    tag: `${tag}#${index + 1}`,
    newClasses: [...(step.new_sqlite_classes ?? []), ...(step.new_classes ?? [])],
    renamedClasses: step.renamed_classes ?? [],
    deletedClasses: step.deleted_classes ?? [],
  }))
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw invalid('The "metadata" part is not JSON.')
  }
}

function invalid(message: string): PlatformError {
  return new PlatformError('invalid_request', message)
}
