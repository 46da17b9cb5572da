import {
  array,
  looseObject,
  optional,
  pipe,
  record,
  regex,
  string,
  unknown,
  type GenericSchema,
  type InferOutput,
} from 'valibot'
import type { DeclaredEnv, UnsupportedDeclaration } from '../../src/deploy/build'
import { isPlainObject, plainObject } from './schema'

// What a project's wrangler config declares for its `env`, as the platform provides it (docs/projects.md):
// KV namespaces, D1 databases and Durable Object namespaces under their own names (with the
// migrations that create, rename and delete classes), vars, crons, the assets binding and the
// secrets it requires. Every other binding is listed as unsupported, so the upload is refused by
// name instead of the Worker meeting `undefined` at its first request; keys that configure
// Cloudflare's side (routes, observability, …) mean nothing here and become warnings.

const BINDING_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
const MUST_BE_BINDING = 'must be a binding name (letters, digits and _, not starting with a digit).'
const binding = pipe(string(MUST_BE_BINDING), regex(BINDING_NAME, MUST_BE_BINDING))
const text = string('must be a string.')
const CLASS_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/
const MUST_BE_CLASS = 'must be the name of a class the Worker exports.'

const KvNamespace = plainObject(
  looseObject({ binding, id: optional(text), preview_id: optional(text) }),
  'must be an object with a "binding".',
)
const D1Database = plainObject(
  looseObject({
    binding,
    database_name: optional(text),
    database_id: optional(text),
    migrations_dir: optional(text),
  }),
  'must be an object with a "binding".',
)

const ObjectBinding = plainObject(
  looseObject({ name: binding, class_name: pipe(text, regex(CLASS_NAME, MUST_BE_CLASS)), script_name: optional(text) }),
  'must be an object with a "name" and a "class_name".',
)
const classNames = array(pipe(text, regex(CLASS_NAME, MUST_BE_CLASS)), 'must be a list of class names.')
const Migration = plainObject(
  looseObject({
    tag: text,
    new_classes: optional(classNames),
    new_sqlite_classes: optional(classNames),
    renamed_classes: optional(
      array(plainObject(looseObject({ from: text, to: text }), 'must be an object with "from" and "to".')),
    ),
    deleted_classes: optional(classNames),
  }),
  'must be an object with a "tag".',
)

/** The part of the wrangler config this module reads; the rest was checked by project.ts or is listed below. */
export const WranglerEnvSchema = looseObject({
  kv_namespaces: optional(array(KvNamespace, 'must be a list.')),
  d1_databases: optional(array(D1Database, 'must be a list.')),
  vars: optional(plainObject(record(string(), unknown()), 'must be an object of names and values.')),
  triggers: optional(
    plainObject(
      looseObject({ crons: optional(array(text, 'must be a list of cron expressions.')) }),
      'must be an object.',
    ),
  ),
  secrets: optional(
    plainObject(
      looseObject({ required: optional(array(binding, 'must be a list of secret names.')) }),
      'must be an object.',
    ),
  ),
  assets: optional(plainObject(looseObject({ binding: optional(binding) }), 'must be an object.')),
  durable_objects: optional(
    plainObject(
      looseObject({ bindings: optional(array(ObjectBinding, 'must be a list.')) }),
      'must be an object with "bindings".',
    ),
  ),
  migrations: optional(array(Migration, 'must be a list of migrations.')),
}) satisfies GenericSchema

/** Keys the platform reads (here or in project.ts). */
const READ = new Set([
  'main',
  'compatibility_date',
  'compatibility_flags',
  'assets',
  'kv_namespaces',
  'd1_databases',
  'vars',
  'triggers',
  'secrets',
  'durable_objects',
  'migrations',
])

/** Bindings of kinds the platform does not provide: their key → what they are, for the refusal. */
const UNSUPPORTED_BINDINGS: Record<string, string> = {
  r2_buckets: 'R2 bucket',
  queues: 'Queue',
  ai: 'Workers AI',
  vectorize: 'Vectorize index',
  services: 'service binding',
  hyperdrive: 'Hyperdrive configuration',
  workflows: 'Workflow',
  analytics_engine_datasets: 'Analytics Engine dataset',
  browser: 'Browser Rendering',
  dispatch_namespaces: 'dispatch namespace',
  mtls_certificates: 'mTLS certificate',
  send_email: 'Email binding',
  version_metadata: 'version metadata',
  images: 'Images binding',
  pipelines: 'Pipeline',
  secrets_store_secrets: 'Secrets Store secret',
  unsafe: 'unsafe binding',
  tail_consumers: 'Tail Worker',
  containers: 'Container',
  ratelimits: 'Rate Limiting binding',
  worker_loaders: 'Worker Loader',
  vpc_services: 'VPC service',
  env: 'named environment',
  site: 'Workers Sites bucket (use "assets")',
  wasm_modules: 'Wasm module binding (import the .wasm file instead)',
  text_blobs: 'text blob binding (import the file instead)',
  data_blobs: 'data blob binding (import the file instead)',
}

/**
 * Which binding a declaration names, for the refusal: `binding`, else `name` (services, queues'
 * producers), else none. Queues nest theirs under producers/consumers.
 */
function declarationsOf(key: string, value: unknown): UnsupportedDeclaration[] {
  const kind = UNSUPPORTED_BINDINGS[key] ?? key
  if (key === 'queues' && isPlainObject(value)) {
    const producers = Array.isArray(value.producers) ? value.producers : []
    const consumers = Array.isArray(value.consumers) ? value.consumers : []
    return [
      ...producers.map((entry: unknown) => ({
        key: 'queues.producers',
        kind: 'Queue producer',
        binding: nameOf(entry),
      })),
      ...consumers.map((entry: unknown) => ({
        key: 'queues.consumers',
        kind: 'Queue consumer',
        binding: queueOf(entry),
      })),
    ]
  }
  if (Array.isArray(value)) return value.map((entry: unknown) => ({ key, kind, binding: nameOf(entry) }))
  return [{ key, kind, binding: nameOf(value) }]
}

function nameOf(entry: unknown): string | undefined {
  if (!isPlainObject(entry)) return undefined
  const name = entry.binding ?? entry.name
  return typeof name === 'string' ? name : undefined
}

function queueOf(entry: unknown): string | undefined {
  return isPlainObject(entry) && typeof entry.queue === 'string' ? entry.queue : undefined
}

/** The env a parsed wrangler config declares (`config` is the whole document, already an object). */
export function declaredEnv(
  file: string,
  config: Record<string, unknown>,
  read: InferOutput<typeof WranglerEnvSchema>,
): DeclaredEnv {
  const unsupported: UnsupportedDeclaration[] = []
  const ignored: string[] = []
  for (const [key, value] of Object.entries(config)) {
    if (READ.has(key) || key === '$schema') continue
    if (key in UNSUPPORTED_BINDINGS) unsupported.push(...declarationsOf(key, value))
    else ignored.push(key)
  }
  // Objects of another Worker's class (script_name) and classes moved between Workers are not this project's.
  const objectBindings = read.durable_objects?.bindings ?? []
  for (const entry of objectBindings.filter((entry) => entry.script_name !== undefined)) {
    const kind = `Durable Object namespace of another Worker ("${entry.script_name}")`
    unsupported.push({ key: 'durable_objects.bindings', kind, binding: entry.name })
  }
  const migrations = read.migrations ?? []
  for (const migration of migrations.filter((step) => 'transferred_classes' in step)) {
    unsupported.push({ key: 'migrations', kind: `transferred_classes (migration "${migration.tag}")` })
  }
  const vars: Record<string, string> = {}
  const jsonVars: Record<string, string> = {}
  for (const [name, value] of Object.entries(read.vars ?? {})) {
    // As JSON text: what the Worker gets is the value itself (a TOML date becomes its ISO string, as in JSON).
    if (typeof value === 'string') vars[name] = value
    else jsonVars[name] = JSON.stringify(value)
  }
  return {
    file,
    kv: (read.kv_namespaces ?? []).map((kv) => ({ binding: kv.binding, ...(kv.id ? { id: kv.id } : {}) })),
    d1: (read.d1_databases ?? []).map((db) => ({
      binding: db.binding,
      ...(db.database_name ? { databaseName: db.database_name } : {}),
      ...(db.database_id ? { databaseId: db.database_id } : {}),
      migrationsDir: (db.migrations_dir ?? 'migrations').replace(/^\.\//, '').replace(/\/+$/, ''),
    })),
    vars,
    jsonVars,
    ...(read.triggers?.crons ? { crons: read.triggers.crons } : {}),
    ...(read.assets?.binding ? { assetsBinding: read.assets.binding } : {}),
    requiredSecrets: read.secrets?.required ?? [],
    ...objectsOf(objectBindings, migrations),
    unsupported,
    ignored: ignored.sort(),
  }
}

/** The project's own Durable Object bindings and its migrations (absent when it has none). */
function objectsOf(
  bindings: NonNullable<InferOutput<typeof WranglerEnvSchema>['durable_objects']>['bindings'] & {},
  migrations: NonNullable<InferOutput<typeof WranglerEnvSchema>['migrations']>,
): Pick<DeclaredEnv, 'durableObjects' | 'objectMigrations'> {
  const own = bindings.filter((entry) => entry.script_name === undefined)
  return {
    ...(own.length > 0
      ? { durableObjects: own.map((entry) => ({ binding: entry.name, className: entry.class_name })) }
      : {}),
    ...(migrations.length > 0
      ? {
          objectMigrations: migrations.map((step) => ({
            tag: step.tag,
            newClasses: [...(step.new_sqlite_classes ?? []), ...(step.new_classes ?? [])],
            renamedClasses: (step.renamed_classes ?? []).map(({ from, to }) => ({ from, to })),
            deletedClasses: step.deleted_classes ?? [],
          })),
        }
      : {}),
  }
}
