import { PlatformError } from '../core/errors'
import type { SettingsInput, WorkerSettings } from '../core/model'
import { DB_BINDING, KV_BINDING } from '../storage/refs'
import type { DeclaredEnv, UnsupportedDeclaration } from './build'

// What a project's wrangler config declares for its `env` (the builder reads it, deploy/build.ts
// DeclaredEnv), applied to the deployment: refused by name when the platform does not provide it,
// else merged into the settings the upload asked for (docs/projects.md).

/**
 * Refuses a project that declares what the platform does not provide, naming each declaration:
 * its Worker would otherwise meet `undefined` at its first request.
 */
export function refuseUnsupported(declared: DeclaredEnv): void {
  const { file } = declared
  const refused = [...declared.unsupported, ...storageNotYet(declared)]
  if (refused.length === 0) return
  const lines = refused.map((entry) => `- ${describe(entry)}`)
  throw new PlatformError(
    'build_failed',
    `${file} declares what this platform does not provide:\n${lines.join('\n')}\nRemove ${refused.length === 1 ? 'it' : 'them'} from ${file} to deploy here.`,
  )
}

function describe({ key, kind, binding }: UnsupportedDeclaration): string {
  return binding === undefined ? `${key}: ${kind}` : `${key}: ${kind} "${binding}"`
}

/** KV and D1 bindings under names other than env.KV and env.DB: not provided yet. */
function storageNotYet(declared: DeclaredEnv): UnsupportedDeclaration[] {
  return [
    ...declared.kv
      .filter((kv) => kv.binding !== KV_BINDING)
      .map((kv) => ({
        key: 'kv_namespaces',
        kind: `KV namespace (only the binding name ${KV_BINDING} yet)`,
        binding: kv.binding,
      })),
    ...declared.d1
      .filter((db) => db.binding !== DB_BINDING)
      .map((db) => ({
        key: 'd1_databases',
        kind: `D1 database (only the binding name ${DB_BINDING} yet)`,
        binding: db.binding,
      })),
  ]
}

/**
 * The settings an upload asks for, with what the config declares underneath: its vars (the
 * upload's own win where both set one), its crons (unless the upload gives its own), and env.KV /
 * env.DB for the KV namespace and D1 database it declares under those names.
 */
export function withDeclared(input: SettingsInput, declared: DeclaredEnv): SettingsInput {
  const settings: SettingsInput = { ...input, vars: { ...declared.vars, ...input.vars } }
  if (input.crons === undefined && declared.crons !== undefined) settings.crons = declared.crons
  const kv = declared.kv.some((entry) => entry.binding === KV_BINDING)
  const sql = declared.d1.some((entry) => entry.binding === DB_BINDING)
  if (kv || sql) settings.storage = { ...(kv ? { kv } : {}), ...(sql ? { sql } : {}), ...input.storage }
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

/** A warning for what is declared and read, but not provided yet (the build's warnings show it). */
export function declaredWarnings(declared: DeclaredEnv): string[] {
  return declared.assetsBinding
    ? [
        `assets.binding "${declared.assetsBinding}": env.${declared.assetsBinding} is not provided yet; the platform serves the assets before the Worker as "assets" configures, and a call to env.${declared.assetsBinding}.fetch() fails.`,
      ]
    : []
}
