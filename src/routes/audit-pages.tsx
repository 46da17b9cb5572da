import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import { auditCsv } from '../audit/audit-export'
import { AuditPage } from '../views/audit-log'
import { proofOf, signedInAs } from './session'
import { queryParams } from './validate'
import { auditPageQuery } from './audit'

/** A worker's whole audit log for its signed-in owner (the API takes a token instead: routes/audit.ts). */
export const auditPages = new Hono<AppEnv>()

auditPages.get('/workers/:name/audit', queryParams(auditPageQuery), async (c) => {
  const name = c.req.param('name')
  const { before, format } = c.req.valid('query')
  const events = await c.var.platform.audit.ofWorker(name, await proofOf(c, name, undefined), before)
  c.header('Cache-Control', 'no-store')
  if (format === 'csv') {
    c.header('Content-Type', 'text/csv; charset=utf-8')
    c.header('Content-Disposition', `attachment; filename="${name}-audit.csv"`)
    return c.body(auditCsv(events))
  }
  return c.html(
    <AuditPage
      backend={c.var.platform.config.backend}
      signedIn={await signedInAs(c)}
      title={`Audit log of ${name}`}
      path={`/workers/${name}/audit`}
      events={events}
    >
      <p>
        <a href={`/workers/${name}`}>Back to {name}</a>
      </p>
    </AuditPage>,
  )
})
