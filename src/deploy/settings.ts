import { encodeText } from '../lib/encoding'
import { minIntervalMinutes, parseCron } from '../cron/cron'
import { EGRESS_MODES } from '../core/model-schemas'
import { PlatformError } from '../core/errors'
import type {
  CronPolicy,
  EgressPolicy,
  LimitPolicy,
  Limits,
  SettingsInput,
  StorageSettings,
  WorkerSettings,
} from '../core/model'
import { DB_BINDING, KV_BINDING, storageBindingNames } from '../storage/refs'
import { checkTags } from './tags'

/** What one worker's settings may hold. */
export const SETTINGS_LIMITS = {
  /** Variables, and secrets, per worker. */
  entries: 64,
  valueBytes: 5 * 1024,
  allowedHosts: 100,
} as const

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
const HOST = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/

export function defaultSettings(policy: LimitPolicy): WorkerSettings {
  return { vars: {}, secretNames: [], egress: { mode: 'allow-all', hosts: [] }, limits: { ...policy.defaults } }
}

/**
 * The settings of a new deployment: the input applied over the current ones, validated. Returns
 * the secret values that changed, for the secret store.
 */
export function nextSettings(
  current: WorkerSettings | undefined,
  input: SettingsInput,
  policy: LimitPolicy,
  cronPolicy: CronPolicy = DEFAULT_CRON_POLICY,
): { settings: WorkerSettings; secretChanges: Record<string, string | null> } {
  const base = current ?? defaultSettings(policy)
  const vars = { ...base.vars }
  for (const [name, value] of Object.entries(checkChanges(input.vars ?? {}, 'variable'))) {
    if (value === null) delete vars[name]
    else vars[name] = value
  }
  if (Object.keys(vars).length > SETTINGS_LIMITS.entries) {
    throw invalid(`At most ${SETTINGS_LIMITS.entries} variables per worker.`)
  }
  const secretChanges = checkChanges(input.secrets ?? {}, 'secret')
  const secretNames = new Set(base.secretNames)
  for (const [name, value] of Object.entries(secretChanges)) {
    if (value === null) secretNames.delete(name)
    else secretNames.add(name)
  }
  const jsonVars = input.jsonVars === undefined ? { ...base.jsonVars } : checkJsonVars(input.jsonVars)
  if (Object.keys(vars).length + Object.keys(jsonVars).length > SETTINGS_LIMITS.entries) {
    throw invalid(`At most ${SETTINGS_LIMITS.entries} variables per worker.`)
  }
  // The upload's own var wins over the config's JSON one of the same name, as for string vars.
  for (const name of Object.keys(jsonVars)) if (name in vars) delete jsonVars[name]
  const clash = [...Object.keys(vars), ...Object.keys(jsonVars)].find((name) => secretNames.has(name))
  if (clash) throw invalid(`"${clash}" is both a variable and a secret; use one.`)
  const storage = input.storage === undefined ? base.storage : storageOf({ ...base.storage, ...input.storage })
  const assetsBinding = input.assetsBinding === undefined ? base.assetsBinding : (input.assetsBinding ?? undefined)
  const bindings = [...storageBindingNames(storage), ...(assetsBinding ? [assetsBinding] : [])]
  if (assetsBinding && !VAR_NAME.test(assetsBinding)) throw invalid(`"${assetsBinding}" is not a binding name.`)
  if (new Set(bindings).size < bindings.length)
    throw invalid(`"${assetsBinding}" names two bindings; give each its own name.`)
  const taken = bindings.find((binding) => binding in vars || binding in jsonVars || secretNames.has(binding))
  if (taken)
    throw invalid(`"${taken}" is the name of a storage binding this worker has; rename the variable or secret.`)
  const settings: WorkerSettings = {
    vars,
    // Stored only when there are some, so settings without them stay as they were.
    ...(Object.keys(jsonVars).length > 0 ? { jsonVars } : {}),
    secretNames: [...secretNames].sort(),
    egress: input.egress === undefined ? base.egress : checkEgress(input.egress),
    limits: checkLimits({ ...base.limits, ...input.limits }, policy),
    // Stored only when on, so settings without storage stay as they were.
    ...(storageBindingNames(storage).length > 0 ? { storage } : {}),
    ...(assetsBinding ? { assetsBinding } : {}),
  }
  // Crons are kept like egress and limits; an empty list is stored as none.
  const crons = input.crons === undefined ? (base.crons ?? []) : checkCrons(input.crons, cronPolicy)
  if (crons.length > 0) settings.crons = crons
  // Stored only when on: code is private unless its owner says otherwise.
  if (input.publicCode ?? base.publicCode) settings.publicCode = true
  const tags = input.tags === undefined ? (base.tags ?? []) : checkTags(input.tags)
  if (tags.length > 0) settings.tags = tags
  return { settings, secretChanges }
}

const DEFAULT_CRON_POLICY: CronPolicy = { maxPerWorker: 5, minIntervalMinutes: 1 }

/** Each expression valid and not more frequent than allowed; duplicates dropped. */
function checkCrons(crons: string[], policy: CronPolicy): string[] {
  const expressions = [...new Set(crons.map((cron) => parseCron(cron).expression))]
  if (expressions.length > policy.maxPerWorker) {
    throw invalid(`At most ${policy.maxPerWorker} cron schedules per worker; this upload has ${expressions.length}.`)
  }
  for (const expression of expressions) {
    const interval = minIntervalMinutes(parseCron(expression))
    if (interval < policy.minIntervalMinutes) {
      throw invalid(
        `Cron "${expression}" runs every ${interval} minute${interval === 1 ? '' : 's'}; this platform allows ` +
          `one run every ${policy.minIntervalMinutes} minutes at most.`,
      )
    }
  }
  return expressions
}

function checkChanges(changes: Record<string, string | null>, kind: string): Record<string, string | null> {
  if (Object.keys(changes).length > SETTINGS_LIMITS.entries) {
    throw invalid(`At most ${SETTINGS_LIMITS.entries} ${kind}s per worker.`)
  }
  for (const [name, value] of Object.entries(changes)) {
    if (value !== null) checkEntry(name, value, kind)
    else if (!VAR_NAME.test(name)) throw invalid(`"${name}" is not a valid ${kind} name.`)
  }
  return changes
}

/** A project's JSON vars: names as for vars, each value's JSON text at most valueBytes. */
function checkJsonVars(input: Record<string, string>): Record<string, string> {
  for (const [name, text] of Object.entries(input)) checkEntry(name, text, 'variable')
  return { ...input }
}

function checkEntry(name: string, value: string, kind: string): void {
  if (!VAR_NAME.test(name)) {
    throw invalid(`"${name}" is not a valid ${kind} name: letters, digits and _, not starting with a digit.`)
  }
  if (encodeText(value).byteLength > SETTINGS_LIMITS.valueBytes) {
    throw invalid(`The ${kind} "${name}" is longer than ${SETTINGS_LIMITS.valueBytes / 1024} KiB.`)
  }
}

/** The policy an upload asked for, its hosts normalised. Its shape is the input schema's (routes/settings-input.ts). */
function checkEgress(egress: EgressPolicy): EgressPolicy {
  // Unreachable through the schema, whose message this is; kept for callers that build input in code.
  if (!EGRESS_MODES.includes(egress.mode)) throw invalid(`Egress mode must be one of ${EGRESS_MODES.join(', ')}.`)
  const hosts = egress.hosts.map((host) => host.trim().toLowerCase()).filter(Boolean)
  if (hosts.length > SETTINGS_LIMITS.allowedHosts)
    throw invalid(`At most ${SETTINGS_LIMITS.allowedHosts} allowed hosts.`)
  const bad = hosts.find((host) => !HOST.test(host))
  if (bad) throw invalid(`"${bad}" is not a host name (example.com or *.example.com).`)
  if (egress.mode === 'allow-list' && hosts.length === 0) {
    throw invalid('An allow-list needs at least one host; use block-all to allow none.')
  }
  const policy: EgressPolicy = { mode: egress.mode, hosts: egress.mode === 'allow-list' ? [...new Set(hosts)] : [] }
  // Sockets stay off unless asked for, and an absent flag keeps policies stored as before.
  return egress.sockets && egress.mode !== 'block-all' ? { ...policy, sockets: true } : policy
}

function checkLimits(limits: Limits, policy: LimitPolicy): Limits {
  for (const key of ['cpuMs', 'subRequests'] as const) {
    const value = limits[key]
    if (!Number.isSafeInteger(value) || value < 1 || value > policy.maxima[key]) {
      throw invalid(`The ${key} limit must be a whole number from 1 to ${policy.maxima[key]}.`)
    }
  }
  return { cpuMs: limits.cpuMs, subRequests: limits.subRequests }
}

function storageOf(storage: Partial<StorageSettings>): StorageSettings {
  const result: StorageSettings = { kv: storage.kv === true, sql: storage.sql === true }
  const { kvNamespaces = [], d1Databases = [], durableObjects = [] } = storage
  const bindings = [...(result.kv ? [KV_BINDING] : []), ...(result.sql ? [DB_BINDING] : [])]
  for (const { binding } of [...kvNamespaces, ...d1Databases, ...durableObjects]) {
    if (!VAR_NAME.test(binding)) throw invalid(`"${binding}" is not a binding name (letters, digits and _).`)
    if (bindings.includes(binding)) throw invalid(`"${binding}" names two storage bindings; give each its own name.`)
    bindings.push(binding)
  }
  // Stored only when there are some, so settings without declared stores stay as they were.
  if (kvNamespaces.length > 0) result.kvNamespaces = kvNamespaces
  if (d1Databases.length > 0) result.d1Databases = d1Databases
  if (durableObjects.length > 0) result.durableObjects = durableObjects
  return result
}

function invalid(message: string): PlatformError {
  return new PlatformError('invalid_settings', message)
}
