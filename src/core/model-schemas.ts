import {
  array,
  boolean,
  literal,
  looseObject,
  nullable,
  nullish,
  number,
  optional,
  picklist,
  record,
  string,
  union,
  type GenericSchema,
} from 'valibot'
import type {
  AssetConfig,
  BackendKind,
  BuildSummary,
  Compatibility,
  CronOutcome,
  CronRun,
  Deployment,
  EgressMode,
  EgressPolicy,
  Limits,
  RetiredDeployment,
  StorageSettings,
  Suspension,
  Rollout,
  Budget,
  WorkerRecord,
  WorkerSettings,
  WorkerSummary,
} from './model'

// The model's stored shapes (core/model.ts), as schemas for reading them back. Each accepts every
// shape the platform has written: fields added later are optional (settings, compatibility, build,
// hints, crons, storage, publicCode, sockets, logsUntil), as the types say. Objects are loose, so
// a record read and written back keeps what a newer version added. The annotations tie each schema
// to its type: a schema that drifts from the model does not compile.

export const EGRESS_MODES = ['allow-all', 'block-all', 'allow-list'] as const satisfies readonly EgressMode[]
const BACKENDS = ['dynamic-workers', 'dispatch-namespace'] as const satisfies readonly BackendKind[]

const strings = array(string())

export const egressPolicySchema: GenericSchema<EgressPolicy> = looseObject({
  mode: picklist(EGRESS_MODES),
  hosts: strings,
  sockets: optional(boolean()),
})

const limitsSchema: GenericSchema<Limits> = looseObject({ cpuMs: number(), subRequests: number() })

const namedStoresSchema = optional(array(looseObject({ binding: string(), store: string() })))
const storageSchema: GenericSchema<StorageSettings> = looseObject({
  kv: boolean(),
  sql: boolean(),
  kvNamespaces: namedStoresSchema,
  d1Databases: namedStoresSchema,
  durableObjects: optional(array(looseObject({ binding: string(), className: string(), namespace: string() }))),
})

export const workerSettingsSchema: GenericSchema<WorkerSettings> = looseObject({
  vars: record(string(), string()),
  jsonVars: optional(record(string(), string())),
  secretNames: strings,
  egress: egressPolicySchema,
  limits: limitsSchema,
  crons: optional(strings),
  storage: optional(storageSchema),
  assetsBinding: optional(string()),
  publicCode: optional(literal(true)),
  tags: optional(strings),
})

const compatibilitySchema: GenericSchema<Compatibility> = looseObject({ date: string(), flags: strings })

const buildSummarySchema: GenericSchema<BuildSummary> = looseObject({
  files: strings,
  dependencies: record(string(), string()),
  warnings: strings,
  assets: looseObject({ count: number(), bytes: number() }),
  hasWorker: boolean(),
})

export const deploymentSchema: GenericSchema<Deployment> = looseObject({
  workerId: string(),
  sequence: number(),
  createdAt: string(),
  size: number(),
  sha256: string(),
  label: string(),
  settings: optional(workerSettingsSchema),
  compatibility: optional(compatibilitySchema),
  build: optional(buildSummarySchema),
  hints: optional(strings),
  caches: optional(literal(true)),
  migrations: optional(literal(true)),
})

const retiredSchema: GenericSchema<RetiredDeployment> = looseObject({ workerId: string(), retiredAt: string() })

export const workerRecordSchema: GenericSchema<WorkerRecord> = looseObject({
  name: string(),
  workerId: string(),
  ownerId: string(),
  backend: picklist(BACKENDS),
  createdAt: string(),
  updatedAt: string(),
  deployments: array(deploymentSchema),
  retired: array(retiredSchema),
  logsUntil: optional(string()),
  tailsUntil: optional(string()),
  stores: optional(strings),
  accountId: optional(string()),
  budget: optional(
    looseObject({
      requestsPerDay: optional(number()),
      cpuMsPerDay: optional(number()),
    }) satisfies GenericSchema<Budget>,
  ),
  rollout: optional(
    looseObject({ candidate: string(), percent: number(), startedAt: string() }) satisfies GenericSchema<Rollout>,
  ),
  suspended: optional(
    looseObject({
      at: string(),
      reason: string(),
      scope: picklist(['worker', 'account']),
    }) satisfies GenericSchema<Suspension>,
  ),
})

/** A name's record as KV or its Durable Object holds it: the record, or nothing. */
export const storedRecordSchema = nullable(workerRecordSchema)

/** A name's summary, kept as its KV key's metadata for the list (absent on keys written without it). */
export const storedSummarySchema = nullish(
  looseObject({
    name: string(),
    workerId: string(),
    updatedAt: string(),
    tags: optional(strings),
  }) satisfies GenericSchema<WorkerSummary>,
)

const CRON_OUTCOMES = ['ok', 'exception', 'exceeded', 'missing', 'error'] as const satisfies readonly CronOutcome[]

/** One scheduled run, as a name's object keeps the last few. */
export const cronRunSchema: GenericSchema<CronRun> = looseObject({
  at: string(),
  cron: string(),
  trigger: picklist(['schedule', 'manual']),
  outcome: picklist(CRON_OUTCOMES),
  durationMs: number(),
})

/** How a deployment's static assets are served, as its manifest keeps it (the builder checked each value). */
export const assetConfigSchema: GenericSchema<AssetConfig> = looseObject({
  html_handling: optional(picklist(['auto-trailing-slash', 'force-trailing-slash', 'drop-trailing-slash', 'none'])),
  not_found_handling: optional(picklist(['single-page-application', '404-page', 'none'])),
  run_worker_first: optional(union([boolean(), strings])),
  _redirects: optional(string()),
  _headers: optional(string()),
})
