import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import { auditCsv } from '../audit/audit-export'
import { AdminAuditPage } from '../views/admin-audit'
import { requireSession } from './admin-console'
import { adminProof } from './admin-session'
import { trailQuery } from './audit'
import { queryParams } from './validate'

/** The operator's audit trail on the admin page (the API's is GET /api/admin/audit: routes/audit.ts). */
export const adminAudit = new Hono<AppEnv>()

adminAudit.get('/admin/audit', requireSession, queryParams(trailQuery), async (c) => {
  const { before, format, name = '', account = '', action } = c.req.valid('query')
  const events = await c.var.platform.audit.trail(await adminProof(c), {
    before,
    ...(name ? { name } : {}),
    ...(account ? { accountId: account } : {}),
    action,
  })
  c.header('Cache-Control', 'no-store')
  if (format === 'csv') {
    c.header('Content-Type', 'text/csv; charset=utf-8')
    c.header('Content-Disposition', 'attachment; filename="audit.csv"')
    return c.body(auditCsv(events))
  }
  return c.html(
    <AdminAuditPage
      backend={c.var.platform.config.backend}
      filter={{ name, account, action: action ?? '' }}
      events={events}
    />,
  )
})
