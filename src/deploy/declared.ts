import { PlatformError } from '../core/errors'
import type { NamedStore, SettingsInput, WorkerSettings } from '../core/model'
import { DB_BINDING, KV_BINDING, MAX_STORE_ID_LENGTH, storeIdOf, storeRef, type StorageRef } from '../storage/refs'
import { objectBindings, objectNamespaces } from '../objects/namespaces'
import type { D1Migration, DeclaredEnv, UnsupportedDeclaration } from './build'

// What a project's wrangler config declares for its `env` (the builder reads it, deploy/build.ts
// DeclaredEnv), applied to the deployment: refused by name when the platform does not provide it,
// else merged into the settings the upload asked for (docs/bring-your-project.md).

/** A declared env that declares nothing, for `file`: what a reader fills in. */
export function nothingDeclared(file: string): DeclaredEnv {
  return { file, kv: [], d1: [], vars: {}, jsonVars: {}, requiredSecrets: [], unsupported: [], ignored: [] }
}

/**
 * Refuses a project that declares what the platform does not provide, naming each declaration:
 * its Worker would otherwise meet `undefined` at its first request.
 */
export function refuseUnsupported(declared: DeclaredEnv): void {
  const { file } = declared
  const refused = [...declared.unsupported, ...storesRefused(declared)]
  if (refused.length === 0) return
  const lines = refused.map((entry) => `- ${describe(entry)}`)
  throw new PlatformError(
    'build_failed',
    `${file} declares what this platform does not provide:\n${lines.join('\n')}\nRemove ${refused.length === 1 ? 'it' : 'them'} from ${file} to deploy here.`,
  )
}

function describe({ key, kind, binding, reason }: UnsupportedDeclaration): string {
  const named = binding === undefined ? `${key}: ${kind}` : `${key}: ${kind} "${binding}"`
  return reason === undefined ? named : `${named} (${reason})`
}

/** A declared store's ID (storage/refs.ts): the config's id, else the binding's name; undefined when too long. */
function storeOf(binding: string, id: string | undefined): string | undefined {
  return storeIdOf(id ?? binding)
}

/** Declared stores (env.KV's and env.DB's own aside) whose id does not fit a store ID. */
function storesRefused(declared: DeclaredEnv): UnsupportedDeclaration[] {
  const long = `with an id of more than ${MAX_STORE_ID_LENGTH} characters`
  const { deleted } = objectNamespaces(declared.objectMigrations ?? [])
  return [
    ...(declared.durableObjects ?? []).flatMap(({ binding, className }) => {
      const gone = deleted.find((entry) => entry.className === className)
      const reason = `its class "${className}" is deleted by migration "${gone?.tag}"`
      return gone ? [{ key: 'durable_objects.bindings', kind: 'Durable Object namespace', binding, reason }] : []
    }),
    ...declared.kv
      .filter((kv) => kv.binding !== KV_BINDING && storeOf(kv.binding, kv.id) === undefined)
      .map((kv) => ({ key: 'kv_namespaces', kind: `KV namespace ${long}`, binding: kv.binding })),
    ...declared.d1
      .filter((db) => db.binding !== DB_BINDING && storeOf(db.binding, d1Id(db)) === undefined)
      .map((db) => ({ key: 'd1_databases', kind: `D1 database ${long}`, binding: db.binding })),
  ]
}

function d1Id(db: DeclaredEnv['d1'][number]): string | undefined {
  return db.databaseId ?? db.databaseName
}

/**
 * The settings an upload asks for, with what the config declares underneath: its vars (the
 * upload's own win where both set one), its crons (unless the upload gives its own), and its
 * stores: a KV namespace bound as KV and a D1 database bound as DB are env.KV's and env.DB's own
 * (the stores from before projects declared any, so their data stays), every other one is a store
 * of its own, named by its id (storage/refs.ts). The config's list replaces the last deployment's.
 */
export function withDeclared(input: SettingsInput, declared: DeclaredEnv): SettingsInput {
  const settings: SettingsInput = {
    ...input,
    vars: { ...declared.vars, ...input.vars },
    jsonVars: declared.jsonVars,
    assetsBinding: declared.assetsBinding ?? null,
  }
  if (input.crons === undefined && declared.crons !== undefined) settings.crons = declared.crons
  const named = (entries: { binding: string; id?: string }[], own: string): NamedStore[] =>
    entries
      .filter((entry) => entry.binding !== own)
      .flatMap(({ binding, id }) => {
        const store = storeOf(binding, id)
        return store === undefined ? [] : [{ binding, store }]
      })
  const durableObjects = objectBindings(declared.durableObjects ?? [], declared.objectMigrations ?? [])
  // A config without stores leaves the worker's as they were (env.KV / env.DB set by the upload's `storage`).
  if (declared.kv.length === 0 && declared.d1.length === 0 && durableObjects.length === 0) return settings
  settings.storage = {
    kv: declared.kv.some((entry) => entry.binding === KV_BINDING),
    sql: declared.d1.some((entry) => entry.binding === DB_BINDING),
    kvNamespaces: named(declared.kv, KV_BINDING),
    d1Databases: named(
      declared.d1.map((db) => ({ binding: db.binding, id: d1Id(db) })),
      DB_BINDING,
    ),
    durableObjects,
    ...input.storage,
  }
  return settings
}

/** Refuses a deployment without every secret the config requires (`secrets.required`), naming them. */
export function checkRequiredSecrets(declared: DeclaredEnv, settings: WorkerSettings): void {
  const { file } = declared
  const missing = declared.requiredSecrets.filter((name) => !settings.secretNames.includes(name))
  if (missing.length === 0) return
  throw new PlatformError(
    'invalid_request',
    `${file} requires the secret${missing.length === 1 ? '' : 's'} ${missing.map((name) => `"${name}"`).join(', ')}: set ${missing.length === 1 ? 'it' : 'them'} with this upload's secrets (or an earlier one's), then deploy again.`,
  )
}

/**
 * Where a deploy applies D1 migrations: each declared database that has some, as the store the
 * deployment's settings bind it to (withDeclared decided which: env.DB's own, or a declared store).
 */
export function migrationTargets(
  declared: DeclaredEnv,
  settings: WorkerSettings,
  worker: StorageRef,
): { binding: string; dir: string; ref: StorageRef; migrations: D1Migration[] }[] {
  return declared.d1.flatMap((db) => {
    if (!db.migrations?.length) return []
    const named = settings.storage?.d1Databases?.find((entry) => entry.binding === db.binding)
    const ref = named ? storeRef(worker, named.store) : worker
    return [{ binding: db.binding, dir: db.migrationsDir, ref, migrations: db.migrations }]
  })
}
