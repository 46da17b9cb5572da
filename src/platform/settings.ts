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

/** What an upload may say about settings; anything left out is kept from the current deployment. */
export interface SettingsInput {
  vars?: Record<string, string>
  /** A value sets a secret, null deletes it; secrets not named are kept. */
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
  const vars = input.vars === undefined ? base.vars : checkVars(input.vars, 'variable')
  const secretChanges = input.secrets === undefined ? {} : checkSecrets(input.secrets)
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

function checkVars(vars: Record<string, string>, kind: string): Record<string, string> {
  const entries = Object.entries(vars)
  if (entries.length > MAX_VARS) throw new PlatformError('invalid_settings', `At most ${MAX_VARS} ${kind}s per worker.`)
  for (const [name, value] of entries) checkEntry(name, value, kind)
  return Object.fromEntries(entries)
}

function checkSecrets(secrets: Record<string, string | null>): Record<string, string | null> {
  for (const [name, value] of Object.entries(secrets)) {
    if (value !== null) checkEntry(name, value, 'secret')
    else if (!VAR_NAME.test(name)) throw new PlatformError('invalid_settings', `"${name}" is not a valid secret name.`)
  }
  return secrets
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
