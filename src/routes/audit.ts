import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import { integer, minValue, object, optional, picklist, pipe, string, toNumber, type InferOutput } from 'valibot'
import type { AppEnv } from '../context'
import { AUDIT_ACTIONS, type AuditEvent } from '../audit/audit-events'
import { auditCsv } from '../audit/audit-export'
import { AUDIT_PAGE_SIZE } from '../audit/audit-log'
import { bearerToken } from './input'
import { queryParams } from './validate'

const BEFORE = '{field} must be the id of an entry (a whole number): the page goes on before it.'
const before = optional(pipe(string(), toNumber(BEFORE), integer(BEFORE), minValue(1, BEFORE)))
const format = optional(picklist(['json', 'csv'], '{field} must be "json" or "csv".'))
const ACTION = `{field} must be one of: ${AUDIT_ACTIONS.join(', ')}.`

/** A page of a worker's log: `?before=<id>`, `?format=csv`. */
export const auditPageQuery = object({ before, format })
/** A page of the operator's trail: `?name=`, `?account=`, `?action=`, and as a worker's. */
export const trailQuery = object({
  before,
  format,
  name: optional(string()),
  account: optional(string()),
  action: optional(picklist(AUDIT_ACTIONS, ACTION)),
})

/**
 * The audit log (docs/audit.md), as JSON or, with `?format=csv`, CSV, newest first, a page at a time
 * (`?before=<the last id>`, given in `X-Next-Before`): a worker's for its owner (or an admin), and
 * the platform-wide trail for the operator.
 */
export const auditApi = new Hono<AppEnv>()

auditApi.get('/workers/:name/audit', queryParams(auditPageQuery), async (c) => {
  const query = c.req.valid('query')
  return answer(c, query, await c.var.platform.audit.ofWorker(c.req.param('name'), bearerToken(c.req), query.before))
})

auditApi.get('/admin/audit', queryParams(trailQuery), async (c) => {
  const { before, name, account, action } = c.req.valid('query')
  const events = await c.var.platform.audit.trail(bearerToken(c.req), { before, name, accountId: account, action })
  return answer(c, c.req.valid('query'), events)
})

function answer(c: Context<AppEnv>, query: InferOutput<typeof auditPageQuery>, events: AuditEvent[]) {
  c.header('Cache-Control', 'no-store')
  // A full page may have more after it.
  const next = events.length >= AUDIT_PAGE_SIZE ? events.at(-1)?.id : undefined
  if (next !== undefined) c.header('X-Next-Before', String(next))
  if (query.format === 'csv') {
    c.header('Content-Type', 'text/csv; charset=utf-8')
    return c.body(auditCsv(events))
  }
  return c.json({ events, before: next ?? null })
}
