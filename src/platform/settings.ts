import { PlatformError } from './errors'

/** Who a user Worker may reach with fetch(). */
export interface EgressPolicy {
  mode: 'allow-all' | 'block-all' | 'allow-list'
  /** Host names allowed in `allow-list` mode; `*.example.com` also matches subdomains. */
  hosts: string[]
}

export interface Limits {
  cpuMs: number
  subRequests: number
}

/** How one deployment runs. Part of the deployment, so a rollback restores it too. */
export interface WorkerSettings {
  vars: Record<string, string>
  /** Names only: values are write-only and kept apart (see platform/secrets.ts). */
  secretNames: string[]
  egress: EgressPolicy
  limits: Limits
}

/**
 * What an upload may say about settings; anything left out is kept from the current deployment.
 * For vars and secrets, a value sets one, null deletes it, and names not mentioned are kept.
 */
export interface SettingsInput {
  vars?: Record<string, string | null>
  secrets?: Record<string, string | null>
  egress?: EgressPolicy
  limits?: Partial<Limits>
}

export interface LimitPolicy {
  defaults: Limits
  maxima: Limits
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
const HOST = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/
const MAX_VARS = 64
const MAX_VALUE_BYTES = 5 * 1024
const MAX_HOSTS = 100
const EGRESS_MODES: EgressPolicy['mode'][] = ['allow-all', 'block-all', 'allow-list']

export function defaultSettings(policy: LimitPolicy): WorkerSettings {
  return { vars: {}, secretNames: [], egress: { mode: 'allow-all', hosts: [] }, limits: { ...policy.defaults } }
}

/**
 * The settings of a new deployment: the input applied over the current ones, validated. Returns
 * the secret values that changed, for the secret store.
 */
export function nextSettings(current: WorkerSettings | undefined, input: SettingsInput, policy: LimitPolicy) {
  const base = current ?? defaultSettings(policy)
  const vars = { ...base.vars }
  for (const [name, value] of Object.entries(checkChanges(input.vars ?? {}, 'variable'))) {
    if (value === null) delete vars[name]
    else vars[name] = value
  }
  if (Object.keys(vars).length > MAX_VARS) throw new PlatformError('invalid_settings', `At most ${MAX_VARS} variables per worker.`)
  const secretChanges = checkChanges(input.secrets ?? {}, 'secret')
  const secretNames = new Set(base.secretNames)
  for (const [name, value] of Object.entries(secretChanges)) {
    if (value === null) secretNames.delete(name)
    else secretNames.add(name)
  }
  const clash = Object.keys(vars).find((name) => secretNames.has(name))
  if (clash) throw new PlatformError('invalid_settings', `"${clash}" is both a variable and a secret; use one.`)
  const settings: WorkerSettings = {
    vars,
    secretNames: [...secretNames].sort(),
    egress: input.egress === undefined ? base.egress : checkEgress(input.egress),
    limits: checkLimits({ ...base.limits, ...input.limits }, policy),
  }
  return { settings, secretChanges }
}

/** Whether a fetch to `hostname` passes the policy. */
export function egressAllows(policy: EgressPolicy, hostname: string): boolean {
  if (policy.mode === 'allow-all') return true
  if (policy.mode === 'block-all') return false
  const host = hostname.toLowerCase()
  return policy.hosts.some((allowed) => (allowed.startsWith('*.') ? host.endsWith(allowed.slice(1)) : host === allowed))
}

function checkChanges(changes: Record<string, string | null>, kind: string): Record<string, string | null> {
  if (Object.keys(changes).length > MAX_VARS) throw new PlatformError('invalid_settings', `At most ${MAX_VARS} ${kind}s per worker.`)
  for (const [name, value] of Object.entries(changes)) {
    if (value !== null) checkEntry(name, value, kind)
    else if (!VAR_NAME.test(name)) throw new PlatformError('invalid_settings', `"${name}" is not a valid ${kind} name.`)
  }
  return changes
}

function checkEntry(name: string, value: unknown, kind: string): void {
  if (!VAR_NAME.test(name)) {
    throw new PlatformError('invalid_settings', `"${name}" is not a valid ${kind} name: letters, digits and _, not starting with a digit.`)
  }
  if (typeof value !== 'string') throw new PlatformError('invalid_settings', `The ${kind} "${name}" must be a string.`)
  if (new TextEncoder().encode(value).byteLength > MAX_VALUE_BYTES) {
    throw new PlatformError('invalid_settings', `The ${kind} "${name}" is longer than 5 KiB.`)
  }
}

function checkEgress(egress: EgressPolicy): EgressPolicy {
  if (!EGRESS_MODES.includes(egress?.mode)) {
    throw new PlatformError('invalid_settings', `Egress mode must be one of ${EGRESS_MODES.join(', ')}.`)
  }
  const hosts = (Array.isArray(egress.hosts) ? egress.hosts : []).map((host) => String(host).trim().toLowerCase()).filter(Boolean)
  if (hosts.length > MAX_HOSTS) throw new PlatformError('invalid_settings', `At most ${MAX_HOSTS} allowed hosts.`)
  const bad = hosts.find((host) => !HOST.test(host))
  if (bad) throw new PlatformError('invalid_settings', `"${bad}" is not a host name (example.com or *.example.com).`)
  if (egress.mode === 'allow-list' && hosts.length === 0) {
    throw new PlatformError('invalid_settings', 'An allow-list needs at least one host; use block-all to allow none.')
  }
  return { mode: egress.mode, hosts: egress.mode === 'allow-list' ? [...new Set(hosts)] : [] }
}

function checkLimits(limits: Limits, policy: LimitPolicy): Limits {
  for (const key of ['cpuMs', 'subRequests'] as const) {
    const value = limits[key]
    if (!Number.isSafeInteger(value) || value < 1 || value > policy.maxima[key]) {
      throw new PlatformError('invalid_settings', `The ${key} limit must be a whole number from 1 to ${policy.maxima[key]}.`)
    }
  }
  return { cpuMs: limits.cpuMs, subRequests: limits.subRequests }
}

/** Checks the shape of settings sent as JSON (the API); values are checked by `nextSettings`. */
export function parseSettingsInput(raw: Record<string, unknown>): SettingsInput {
  const input: SettingsInput = {}
  if (raw.vars !== undefined) input.vars = stringMap(raw.vars, 'vars')
  if (raw.secrets !== undefined) input.secrets = stringMap(raw.secrets, 'secrets')
  if (raw.egress !== undefined) {
    const egress = raw.egress as Partial<EgressPolicy> | null
    if (typeof egress !== 'object' || egress === null) throw invalid('"egress" must be { "mode": …, "hosts": [ … ] }.')
    if (egress.hosts !== undefined && !Array.isArray(egress.hosts)) throw invalid('"egress.hosts" must be a list of host names.')
    input.egress = { mode: egress.mode as EgressPolicy['mode'], hosts: (egress.hosts ?? []).map(String) }
  }
  if (raw.limits !== undefined) {
    const limits = raw.limits as Record<string, unknown> | null
    if (typeof limits !== 'object' || limits === null) throw invalid('"limits" must be { "cpuMs": …, "subRequests": … }.')
    input.limits = {}
    for (const key of ['cpuMs', 'subRequests'] as const) {
      if (limits[key] !== undefined) {
        if (typeof limits[key] !== 'number') throw invalid(`"limits.${key}" must be a number.`)
        input.limits[key] = limits[key]
      }
    }
  }
  return input
}

/**
 * Reads settings from the upload form: `vars` and `secrets` as KEY=value lines (a `-KEY` line
 * deletes one; names not mentioned are kept), `egress` and `egress_hosts`, `cpu_ms`, `sub_requests`.
 */
export function parseSettingsForm(field: (name: string) => string): SettingsInput {
  const input: SettingsInput = { vars: changeLines(field('vars')), secrets: changeLines(field('secrets')) }
  const mode = field('egress')
  if (mode) input.egress = { mode: mode as EgressPolicy['mode'], hosts: field('egress_hosts').split(/[\s,]+/).filter(Boolean) }
  const cpuMs = field('cpu_ms').trim()
  const subRequests = field('sub_requests').trim()
  if (cpuMs || subRequests) {
    input.limits = {}
    if (cpuMs) input.limits.cpuMs = Number(cpuMs)
    if (subRequests) input.limits.subRequests = Number(subRequests)
  }
  return input
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

function stringMap(value: unknown, field: string): Record<string, string | null> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`"${field}" must be an object of names to strings.`)
  for (const [name, entry] of Object.entries(value)) {
    if (typeof entry !== 'string' && entry !== null) throw invalid(`"${field}.${name}" must be a string, or null to delete it.`)
  }
  return value as Record<string, string | null>
}

function invalid(message: string): PlatformError {
  return new PlatformError('invalid_settings', message)
}
