import type { FC } from 'hono/jsx'
import type { CronPolicy, LimitPolicy } from '../core/model'
import { MAX_TAGS } from '../deploy/tags'

/** The settings part of the upload form, as typed (or prefilled from the current deployment). */
export interface SettingsFieldValues {
  vars: string
  egress: string
  egressHosts: string
  /** "on" when raw sockets are allowed (a checkbox). */
  egressSockets?: string
  /** "on" when the worker gets env.KV / env.DB (checkboxes). */
  storageKv?: string
  storageSql?: string
  /** "on" when anyone may read the code (a checkbox). */
  publicCode?: string
  cpuMs: string
  subRequests: string
  /** Cron expressions, one per line. */
  crons?: string
  /** The worker's tags, comma-separated. */
  tags?: string
}

export interface SettingsFieldsProps {
  values: SettingsFieldValues
  /** Names already set on the worker (values are not shown: secrets never, vars not publicly). */
  varNames: string[]
  secretNames: string[]
  limits: LimitPolicy
  open: boolean
  /** MAX_CRONS_PER_WORKER and MIN_CRON_INTERVAL_MINUTES, for the schedule's hint. */
  cron?: CronPolicy
}

const EGRESS_CHOICES = [
  ['allow-all', 'Allow all', 'fetch() may reach any host'],
  ['block-all', 'Block all', 'no outbound requests'],
  ['allow-list', 'Allow-list', 'only the hosts below'],
] as const

export const SettingsFields: FC<SettingsFieldsProps> = ({ values, varNames, secretNames, limits, open, cron }) => (
  <details class="settings" open={open}>
    <summary>Settings: variables, secrets, egress, storage, code visibility, limits, schedule, tags</summary>
    <label for="vars">
      Variables <span class="hint">— one KEY=value per line, -KEY removes one; others stay as they are</span>
    </label>
    {varNames.length > 0 && <p class="hint">Current: {varNames.join(', ')}</p>}
    <textarea id="vars" name="vars" class="short" spellcheck={false} autocomplete="off">
      {values.vars}
    </textarea>
    <label for="secrets">
      Secrets <span class="hint">— like variables, but write-only: never shown again</span>
    </label>
    {secretNames.length > 0 && <p class="hint">Set: {secretNames.join(', ')}</p>}
    <textarea id="secrets" name="secrets" class="short" spellcheck={false} autocomplete="off" />
    <fieldset>
      <legend>Egress</legend>
      {EGRESS_CHOICES.map(([value, label, hint]) => (
        <div class="choice">
          <input type="radio" id={`egress-${value}`} name="egress" value={value} checked={values.egress === value} />{' '}
          <label for={`egress-${value}`} class="inline">
            {label} <span class="hint">— {hint}</span>
          </label>
        </div>
      ))}
      <label for="egress_hosts">
        Allowed hosts <span class="hint">— for the allow-list: example.com or *.example.com, one per line</span>
      </label>
      <textarea id="egress_hosts" name="egress_hosts" class="short" spellcheck={false} autocomplete="off">
        {values.egressHosts}
      </textarea>
      <div class="choice">
        <input type="checkbox" id="egress_sockets" name="egress_sockets" checked={values.egressSockets === 'on'} />{' '}
        <label for="egress_sockets" class="inline">
          Raw sockets <span class="hint">— connect() to the same hosts as fetch(); off by default</span>
        </label>
      </div>
    </fieldset>
    <fieldset>
      <legend>Storage</legend>
      <input type="hidden" name="storage" value="shown" />
      <div class="choice">
        <input type="checkbox" id="storage_kv" name="storage_kv" checked={values.storageKv === 'on'} />{' '}
        <label for="storage_kv" class="inline">
          <code>env.KV</code> <span class="hint">— a key-value store (the Workers KV API)</span>
        </label>
      </div>
      <div class="choice">
        <input type="checkbox" id="storage_sql" name="storage_sql" checked={values.storageSql === 'on'} />{' '}
        <label for="storage_sql" class="inline">
          <code>env.DB</code> <span class="hint">— a SQL database (the D1 API); the data stays with the name</span>
        </label>
      </div>
    </fieldset>
    <fieldset>
      <legend>Code visibility</legend>
      <input type="hidden" name="code_visibility" value="shown" />
      <div class="choice">
        <input type="checkbox" id="public_code" name="public_code" checked={values.publicCode === 'on'} />{' '}
        <label for="public_code" class="inline">
          Public code <span class="hint">— anyone may read it; off by default: only the deploy token loads it</span>
        </label>
      </div>
    </fieldset>
    <fieldset>
      <legend>Limits per request</legend>
      <label for="cpu_ms">
        CPU time, ms{' '}
        <span class="hint">
          — default {limits.defaults.cpuMs}, at most {limits.maxima.cpuMs}
        </span>
      </label>
      <input type="number" id="cpu_ms" name="cpu_ms" min={1} max={limits.maxima.cpuMs} value={values.cpuMs} />
      <label for="sub_requests">
        Subrequests{' '}
        <span class="hint">
          — default {limits.defaults.subRequests}, at most {limits.maxima.subRequests}
        </span>
      </label>
      <input
        type="number"
        id="sub_requests"
        name="sub_requests"
        min={1}
        max={limits.maxima.subRequests}
        value={values.subRequests}
      />
    </fieldset>
    <label for="crons">
      Cron schedules{' '}
      <span class="hint">
        — one per line, UTC, e.g. */5 * * * *; runs scheduled()
        {cron && `; at most ${cron.maxPerWorker}, every ${cron.minIntervalMinutes} min or less often`}
      </span>
    </label>
    <textarea id="crons" name="crons" class="short" spellcheck={false} autocomplete="off">
      {values.crons ?? ''}
    </textarea>
    <label for="tags">
      Tags <span class="hint">— comma-separated, at most {MAX_TAGS}, to list and search workers by</span>
    </label>
    <input type="hidden" name="tags_shown" value="shown" />
    <input type="text" id="tags" name="tags" value={values.tags ?? ''} autocomplete="off" spellcheck={false} />
  </details>
)
