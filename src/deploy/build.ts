// The contract between the platform and the `builder` Worker (builder/), which turns a tenant's
// project (TypeScript, npm dependencies, static assets) into something the platform can deploy.
// Types only: the platform calls `env.BUILDER.build(request)` over a service binding (RPC), so
// everything here must survive structured cloning (plain objects, strings, numbers, Uint8Array).

import type { AssetConfig, BuildLimits, StaticAsset, WorkerBundle } from '../core/model'
import type { ObjectMigration } from '../objects/namespaces'

export type { AssetConfig, BuildLimits, StaticAsset }

export type BuildLimitName = keyof BuildLimits

/**
 * A project: its files by relative path ("src/index.ts", "public/logo.png"), text or bytes; or one
 * zip archive, which the builder unpacks (a single top-level folder, as GitHub's "Download ZIP"
 * makes, is stripped).
 */
export type BuildSource = { files: Record<string, string | Uint8Array> } | { zip: Uint8Array }

export interface BuildRequest {
  source: BuildSource
  /**
   * The Worker's entry module. Without it: `main` of wrangler.json/jsonc/toml, else package.json
   * `exports["."]`/`module`/`main`, else the first of src/index.ts, src/index.js, src/index.mts,
   * src/index.mjs, index.ts, index.js, src/worker.ts, src/worker.js, else the only script in the
   * project (a single pasted worker.ts / views/worker.tsx). No entry and a non-empty assets folder = a
   * static site without a Worker.
   */
  entry?: string
  /** Browser entry points to bundle into the static assets (e.g. "src/client.tsx" → "/client.js"). */
  clientEntries?: string[]
  /** Base URL of an npm-compatible registry, e.g. "https://registry.npmjs.org". */
  registry: string
  limits: BuildLimits
  /**
   * An opaque scope for reusing builds, e.g. the tenant's ID: a build is reused only for a request
   * with the same scope (a reused build answers much faster, which would tell one tenant what another
   * built). Without it, nothing is reused.
   */
  cacheScope?: string
}

export interface BuildSuccess {
  ok: true
  /** The Worker to deploy; null for a static site without one. */
  worker: WorkerBundle | null
  assets: StaticAsset[]
  /** Only when the project's wrangler config has an `assets` section. */
  assetConfig?: AssetConfig
  /** The project's files by relative path, as built (after unzipping; node_modules/ left out). */
  files: string[]
  /** Every npm package installed, transitive ones included: name → exact version. */
  dependencies: Record<string, string>
  /** What the project's wrangler config declares for its `env`; absent without a wrangler config. */
  declared?: DeclaredEnv
  /** From the project's wrangler config; absent = the platform's default. */
  compatibilityDate?: string
  compatibilityFlags?: string[]
  warnings: string[]
  /** True when an identical earlier build (same cacheScope, files and exact resolved versions) was reused. */
  cached: boolean
}

/** One D1 migration file: its path in the project, and its SQL. */
export interface D1Migration {
  name: string
  sql: string
}

/** A binding or key of the wrangler config the platform does not provide (the upload is refused). */
export interface UnsupportedDeclaration {
  /** The config key: "r2_buckets", "durable_objects.bindings", "vars", … */
  key: string
  /** What it is, as a person reads it: "R2 bucket". */
  kind: string
  /** The binding's name, when the declaration has one. */
  binding?: string
  /** Why, when the kind alone does not say. */
  reason?: string
}

/**
 * What a project's wrangler config declares for its `env`, as the builder read it (docs/projects.md):
 * KV namespaces and D1 databases under their own names, string vars, crons, the assets binding and
 * the secrets it needs; what the platform does not provide, and the keys that mean nothing here.
 */
export interface DeclaredEnv {
  /** The wrangler file it came from ("wrangler.jsonc"), for messages. */
  file: string
  kv: { binding: string; id?: string }[]
  d1: {
    binding: string
    databaseName?: string
    databaseId?: string
    migrationsDir: string
    /** The `.sql` files of `migrationsDir`, in the order wrangler applies them (by file name). */
    migrations?: D1Migration[]
  }[]
  vars: Record<string, string>
  /** Vars whose values are JSON (objects, numbers, booleans…), each as its JSON text. */
  jsonVars: Record<string, string>
  /** `triggers.crons`, when the config has it (an empty list: no crons). */
  crons?: string[]
  assetsBinding?: string
  requiredSecrets: string[]
  /** `durable_objects.bindings` of the project's own classes (absent from builds before they were read). */
  durableObjects?: { binding: string; className: string }[]
  /** `migrations`, in order: the Durable Object classes each step creates, renames and deletes. */
  objectMigrations?: ObjectMigration[]
  unsupported: UnsupportedDeclaration[]
  /** Keys that configure Cloudflare's side (routes, observability, …): a build warning, not a refusal. */
  ignored: string[]
}

/** Where a build went wrong. `line` and `column` are 1-based, as an editor shows them. */
export interface BuildError {
  message: string
  file?: string
  line?: number
  column?: number
  /** For an install failure: the npm package that could not be installed. */
  package?: string
}

/**
 * `user`: the project is wrong (syntax error, missing package, no entry) → 400.
 * `limit`: the project is too big, `limit` names the cap → 413.
 * `internal`: the builder failed (a bug, the registry down) → 500/502, not the tenant's fault.
 */
export type BuildFailureKind = 'user' | 'limit' | 'internal'

export interface BuildFailure {
  ok: false
  kind: BuildFailureKind
  limit?: BuildLimitName
  errors: BuildError[]
}

export type BuildResult = BuildSuccess | BuildFailure
