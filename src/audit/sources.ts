import { clientIp } from '../core/request-client'
import type { AuditSource } from './audit-events'

/** `actor` acting from the client of the request being handled (its IP, when it came from one). */
export function auditSourceAs(actor: string): AuditSource {
  const ip = clientIp()
  return { actor, ...(ip ? { ip } : {}) }
}
