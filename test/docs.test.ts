import { MAX_DECLARED_STORES, MAX_STORE_ID_LENGTH } from '../src/storage/refs'
import { describe, expect, it } from 'vitest'
import configurationPage from '../docs/configuration.md?raw'
import limitsPage from '../docs/limits.md?raw'
import { MAX_ACTION_BODY_BYTES } from '../src/middleware/platform'
import { MAX_MODULES } from '../src/deploy/bundle'
import { CHECK_LIMITS } from '../src/backends/upload-check'
import { CONFIG_VARS, DEFAULTS } from '../src/core/config'
import { CONFIG_DOCS, renderConfigTable, withConfigTable } from '../src/core/config-docs'
import { FOLLOW_TIMING, LOG_FOLLOWERS } from '../src/logs/log-follow'
import { LOG_LINES_KEPT } from '../src/logs/logs'
import { SETTINGS_LIMITS } from '../src/deploy/settings'
import { KV_EXPORT_WHOLE_BYTES } from '../src/storage/kv-export'
import { DUMP_CHUNK_CHARS } from '../src/storage/sql-dump'

// docs/limits.md is written by hand; these checks keep it true to the code: every setting it names
// exists, every constant it names is one, and each default it states is the code's.

/** A byte count as the page writes it: "1 MiB", "16 KiB". */
function bytes(value: number): string {
  if (value % (1024 * 1024) === 0) return `${value / (1024 * 1024)} MiB`
  if (value % 1024 === 0) return `${value / 1024} KiB`
  return String(value)
}

/** A count as the page writes it: "10,000,000". */
const count = (value: number) => value.toLocaleString('en-US')

/** The table rows that name `name` in backticks. */
const rowsNaming = (name: string) =>
  limitsPage.split('\n').filter((line) => line.startsWith('|') && line.includes(`\`${name}\``))

const CONSTANTS = [
  'MAX_ACTION_BODY_BYTES',
  'MAX_MODULES',
  'CHECK_LIMITS',
  'SETTINGS_LIMITS',
  'DUMP_CHUNK_CHARS',
  'KV_EXPORT_WHOLE_BYTES',
  'LOG_LINES_KEPT',
  'LOG_FOLLOWERS',
  'FOLLOW_TIMING',
  'UPLOAD_LIMITER',
  'AUTH_FAILURE_LIMITER',
  'MAX_DECLARED_STORES',
  'MAX_STORE_ID_LENGTH',
]

describe('docs/limits.md', () => {
  it('names only settings and constants that exist', () => {
    const named = [...limitsPage.matchAll(/`([A-Z][A-Z0-9_]{3,})`/g)].map((match) => match[1]!)
    const unknown = named.filter(
      (name) => !(CONFIG_VARS as readonly string[]).includes(name) && !CONSTANTS.includes(name),
    )
    expect(unknown).toEqual([])
  })

  it.each([
    ['MAX_SCRIPT_BYTES', bytes(DEFAULTS.maxScriptBytes)],
    ['MAX_PROJECT_BYTES', bytes(DEFAULTS.buildLimits.maxTotalBytes)],
    ['MAX_PROJECT_FILES', count(DEFAULTS.buildLimits.maxFiles)],
    ['MAX_FILE_BYTES', bytes(DEFAULTS.buildLimits.maxFileBytes)],
    ['MAX_DEPENDENCIES', count(DEFAULTS.buildLimits.maxDependencies)],
    ['MAX_PACKAGE_BYTES', bytes(DEFAULTS.buildLimits.maxPackageBytes)],
    ['MAX_INSTALL_BYTES', bytes(DEFAULTS.buildLimits.maxInstallBytes)],
    ['MAX_PACKUMENT_BYTES', bytes(DEFAULTS.buildLimits.maxPackumentBytes)],
    ['MAX_BUILD_SECONDS', `${DEFAULTS.buildLimits.maxBuildMs / 1000} s`],
    ['USER_CPU_MS', `${DEFAULTS.limits.defaults.cpuMs} ms (at most ${count(DEFAULTS.limits.maxima.cpuMs)})`],
    [
      'USER_SUBREQUESTS',
      `${DEFAULTS.limits.defaults.subRequests} (at most ${count(DEFAULTS.limits.maxima.subRequests)})`,
    ],
    ['MAX_HOPS', count(DEFAULTS.maxHops)],
    ['MAX_CRONS_PER_WORKER', `${DEFAULTS.cron.maxPerWorker} per worker`],
    ['TENANT_KV_MAX_BYTES', `${bytes(DEFAULTS.storageQuotas.kvMaxBytes)} / ${count(DEFAULTS.storageQuotas.kvMaxKeys)}`],
    ['TENANT_SQL_MAX_BYTES', bytes(DEFAULTS.storageQuotas.sqlMaxBytes)],
    ['TENANT_SQL_MAX_ROWS_READ', count(DEFAULTS.storageQuotas.sqlMaxRowsRead)],
    ['TENANT_SQL_MAX_RESULT_BYTES', bytes(DEFAULTS.storageQuotas.sqlMaxResultBytes)],
    ['TENANT_STORAGE_OPS_PER_SECOND', `${count(DEFAULTS.storageQuotas.opsPerSecond)} a second`],
    ['MAX_ACTION_BODY_BYTES', bytes(MAX_ACTION_BODY_BYTES)],
    ['MAX_MODULES', count(MAX_MODULES)],
    ['CHECK_LIMITS', `${CHECK_LIMITS.cpuMs / 1000} s of CPU`],
    [
      'SETTINGS_LIMITS',
      `${SETTINGS_LIMITS.entries} / ${SETTINGS_LIMITS.entries}, ${bytes(SETTINGS_LIMITS.valueBytes)} each / ${SETTINGS_LIMITS.allowedHosts}`,
    ],
    ['DUMP_CHUNK_CHARS', `${DUMP_CHUNK_CHARS / 1024} K characters`],
    ['KV_EXPORT_WHOLE_BYTES', `a value over ${bytes(KV_EXPORT_WHOLE_BYTES)} is streamed`],
    ['LOG_LINES_KEPT', `the last ${LOG_LINES_KEPT}`],
    ['LOG_FOLLOWERS', `${LOG_FOLLOWERS.perWorker} per worker, ${LOG_FOLLOWERS.perClient} per client`],
    ['FOLLOW_TIMING', `at most ${FOLLOW_TIMING.maxMs / 60_000} minutes`],
    ['MAX_DECLARED_STORES', `${MAX_DECLARED_STORES} over the worker's life`],
    ['MAX_STORE_ID_LENGTH', `${MAX_STORE_ID_LENGTH} characters`],
  ])('states %s as the code has it (%s)', (name, expected) => {
    const rows = rowsNaming(name)
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.some((row) => row.includes(expected))).toBe(true)
  })
})

// docs/configuration.md's settings table is generated from src/core/config-docs.ts by
// `npm run docs:config`; CI also runs `npm run docs:config -- --check`.
describe('docs/configuration.md', () => {
  it('holds the settings table src/core/config-docs.ts generates (npm run docs:config)', () => {
    expect(withConfigTable(configurationPage)).toBe(configurationPage)
  })

  it('documents every setting once, in a row of the table', () => {
    expect(Object.keys(CONFIG_DOCS).sort()).toEqual([...CONFIG_VARS].sort())
    const named = renderConfigTable()
      .split('\n')
      .slice(2)
      .flatMap((row) => [...row.split(' | ')[0]!.matchAll(/`([A-Z0-9_]+)`/g)].map((match) => match[1]))
    expect(named).toEqual(Object.keys(CONFIG_DOCS))
  })

  it('refuses a page without the markers, and a row shared with a later setting', () => {
    expect(() => withConfigTable('# Configuration\n')).toThrow('markers')
    const { MAX_PROJECT_BYTES, MAX_PROJECT_FILES, ...rest } = CONFIG_DOCS
    expect(() => renderConfigTable({ ...rest, MAX_PROJECT_FILES, MAX_PROJECT_BYTES })).toThrow(
      'shares the row of MAX_PROJECT_BYTES, which has no row of its own before it',
    )
  })
})
