import {
  array,
  boolean,
  nullable,
  number,
  object,
  optional,
  picklist,
  record,
  string,
  type GenericSchema,
} from 'valibot'
import type { SettingsInput } from '../core/model'
import { PlatformError } from '../core/errors'
import { EGRESS_MODES } from '../core/model-schemas'
import { parseInput, plainObject } from '../core/schema'

// Settings as a client sends them — upload form fields, or the JSON API's object — read into the
// platform's SettingsInput by one schema, whose errors name the field. Only shapes are checked
// here; values (names, sizes, hosts, limits against the policy) are the platform's (deploy/settings.ts).

/**
 * Reads settings from the upload form: `vars` and `secrets` as KEY=value lines (a `-KEY` line
 * deletes one; names not mentioned are kept), `egress`, `egress_hosts` and `egress_sockets`, `cpu_ms`,
 * `sub_requests`.
 * Values are checked by the platform (deploy/settings.ts); this only reads their shape.
 */
export function parseSettingsForm(field: (name: string) => string): SettingsInput {
  const input: FormSettings = { vars: changeLines(field('vars')), secrets: changeLines(field('secrets')) }
  const mode = field('egress')
  if (mode) {
    input.egress = {
      mode,
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
  // Comma-separated (a tag holds no comma); the hidden "tags_shown" says the form had the field, so empty clears them.
  if (field('tags_shown') === 'shown') {
    input.tags = field('tags')
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean)
  }
  const cpuMs = field('cpu_ms').trim()
  const subRequests = field('sub_requests').trim()
  if (cpuMs || subRequests) {
    input.limits = {}
    if (cpuMs) input.limits.cpuMs = Number(cpuMs)
    if (subRequests) input.limits.subRequests = Number(subRequests)
  }
  // The egress mode is the one field whose text the schema still has to vouch for.
  return parseSettingsJson(input)
}

/** The settings a form describes, before the schema has vouched for the egress mode. */
type FormSettings = Omit<SettingsInput, 'egress'> & { egress?: { mode: string; hosts: string[]; sockets: boolean } }

/** Settings sent as JSON (the API): their shape, each field named in its error; values are the platform's. */
export function parseSettingsJson(raw: unknown): SettingsInput {
  return parseInput(settingsInputSchema, raw, 'invalid_settings')
}

const mustBeBoolean = '{field} must be true or false.'
const changesOf = () =>
  optional(
    plainObject(
      record(string(), nullable(string('{field} must be a string, or null to delete it.'))),
      '{field} must be an object of names to strings.',
    ),
  )
const hostsMessage = '{field} must be a list of host names.'
const tagsMessage = '"tags" must be a list of strings, e.g. ["team:billing", "beta"] ([] removes them).'
const cronsMessage = '"crons" must be a list of cron expressions, e.g. ["*/5 * * * *"] ([] removes them).'

/** The settings fields of an upload, wherever they come from (the deploy JSON carries them beside its code). */
const settingsEntries = {
  vars: changesOf(),
  secrets: changesOf(),
  egress: optional(
    plainObject(
      object({
        mode: picklist(EGRESS_MODES, `Egress mode must be one of ${EGRESS_MODES.join(', ')}.`),
        hosts: optional(array(string(hostsMessage), hostsMessage), []),
        sockets: optional(boolean(mustBeBoolean)),
      }),
      '{field} must be { "mode": …, "hosts": [ … ] }.',
    ),
  ),
  storage: optional(
    plainObject(
      object({ kv: optional(boolean(mustBeBoolean)), sql: optional(boolean(mustBeBoolean)) }),
      '{field} must be { "kv": true|false, "sql": true|false }.',
    ),
  ),
  publicCode: optional(boolean(mustBeBoolean)),
  limits: optional(
    plainObject(
      object({
        cpuMs: optional(number('{field} must be a number.')),
        subRequests: optional(number('{field} must be a number.')),
      }),
      '{field} must be { "cpuMs": …, "subRequests": … }.',
    ),
  ),
  crons: optional(array(string(cronsMessage), cronsMessage)),
  tags: optional(array(string(tagsMessage), tagsMessage)),
}

const settingsInputSchema: GenericSchema<unknown, SettingsInput> = object(settingsEntries)

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

export function invalid(message: string): PlatformError {
  return new PlatformError('invalid_settings', message)
}
