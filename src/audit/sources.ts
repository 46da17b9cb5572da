import type { RequestScope } from '../core/follow-up'
import type { AuditSource } from './audit-events'

/** `actor` acting through `scope`'s request (its client's IP, when it came from one). */
export function auditSourceAs(actor: string, scope: Pick<RequestScope, 'clientIp'> | undefined): AuditSource {
  const ip = scope?.clientIp
  return { actor, ...(ip ? { ip } : {}) }
}
