import { csvDocument } from '../lib/csv'
import type { AuditEvent } from './audit-events'

export const AUDIT_CSV_HEADER = ['id', 'at', 'worker', 'account', 'action', 'actor', 'ip', 'detail'] as const

/** Audit entries as CSV, in the order given. */
export function auditCsv(events: AuditEvent[]): string {
  return csvDocument(
    AUDIT_CSV_HEADER,
    events.map((event) => [
      event.id,
      event.at,
      event.name,
      event.accountId,
      event.action,
      event.actor,
      event.ip,
      event.detail,
    ]),
  )
}
