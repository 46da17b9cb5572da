import type { EgressPolicy, SettingsInput } from '../core/model'
import { PlatformError } from '../core/errors'

// Settings as a client sends them — upload form fields, or the JSON API's object — read into the
// platform's SettingsInput. Only shapes are checked here; values are the platform's (deploy/settings.ts).

/**
 * Reads settings from the upload form: `vars` and `secrets` as KEY=value lines (a `-KEY` line
 * deletes one; names not mentioned are kept), `egress`, `egress_hosts` and `egress_sockets`, `cpu_ms`,
 * `sub_requests`.
 * Values are checked by the platform (deploy/settings.ts); this only reads their shape.
 */
export function parseSettingsForm(field: (name: string) => string): SettingsInput {
  const input: SettingsInput = { vars: changeLines(field('vars')), secrets: changeLines(field('secrets')) }
  const mode = field('egress')
  if (mode) {
    input.egress = {
      mode: mode as EgressPolicy['mode'],
      hosts: field('egress_hosts')
        .split(/[\s,]+/)
        .filter(Boolean),
      sockets: field('egress_sockets') === 'on',
    }
  }
  // Unchecked boxes send nothing: the hidden "storage" field says the form showed them.
  if (field('storage') === 'shown') {
    input.storage = { kv: field('storage_kv') === 'on', sql: field('storage_sql') === 'on' }
  }
  if (field('code_visibility') === 'shown') input.publicCode = field('public_code') === 'on'
  const cpuMs = field('cpu_ms').trim()
  const subRequests = field('sub_requests').trim()
  if (cpuMs || subRequests) {
    input.limits = {}
    if (cpuMs) input.limits.cpuMs = Number(cpuMs)
    if (subRequests) input.limits.subRequests = Number(subRequests)
  }
  return input
}

/** Checks the shape of settings sent as JSON (the API); values are checked by the platform. */
export function parseSettingsJson(raw: Record<string, unknown>): SettingsInput {
  const input: SettingsInput = {}
  if (raw.vars !== undefined) input.vars = stringMap(raw.vars, 'vars')
  if (raw.secrets !== undefined) input.secrets = stringMap(raw.secrets, 'secrets')
  if (raw.egress !== undefined) {
    if (!isRecord(raw.egress)) throw invalid('"egress" must be { "mode": …, "hosts": [ … ] }.')
    const { mode, hosts = [], sockets } = raw.egress
    if (!Array.isArray(hosts)) throw invalid('"egress.hosts" must be a list of host names.')
    input.egress = { mode: mode as EgressPolicy['mode'], hosts: hosts.map(String) }
    if (sockets !== undefined) input.egress.sockets = sockets as boolean // checked by the platform
  }
  if (raw.storage !== undefined) {
    if (!isRecord(raw.storage)) throw invalid('"storage" must be { "kv": true|false, "sql": true|false }.')
    input.storage = raw.storage // values checked by the platform
  }
  if (raw.publicCode !== undefined) {
    if (typeof raw.publicCode !== 'boolean') throw invalid('"publicCode" must be true or false.')
    input.publicCode = raw.publicCode
  }
  if (raw.limits !== undefined) {
    if (!isRecord(raw.limits)) throw invalid('"limits" must be { "cpuMs": …, "subRequests": … }.')
    input.limits = {}
    for (const key of ['cpuMs', 'subRequests'] as const) {
      const value = raw.limits[key]
      if (value === undefined) continue
      if (typeof value !== 'number') throw invalid(`"limits.${key}" must be a number.`)
      input.limits[key] = value
    }
  }
  if (raw.crons !== undefined) {
    if (!Array.isArray(raw.crons) || raw.crons.some((cron) => typeof cron !== 'string')) {
      throw invalid('"crons" must be a list of cron expressions, e.g. ["*/5 * * * *"] ([] removes them).')
    }
    input.crons = raw.crons as string[]
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

function stringMap(value: unknown, name: string): Record<string, string | null> {
  if (!isRecord(value)) throw invalid(`"${name}" must be an object of names to strings.`)
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string' && entry !== null) {
      throw invalid(`"${name}.${key}" must be a string, or null to delete it.`)
    }
  }
  return value as Record<string, string | null>
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function invalid(message: string): PlatformError {
  return new PlatformError('invalid_settings', message)
}
