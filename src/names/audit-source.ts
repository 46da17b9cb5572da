import type { AuditSource } from '../audit/audit-events'
import { auditSourceAs } from '../audit/sources'
import type { RequestScope } from '../core/follow-up'
import type { Credential } from './ownership'

/**
 * Who a credential is, as the audit log names it, and the client the request came from. A deploy
 * token is named as the worker's token, not by its value; an account by its ID.
 */
export function auditSource(credential: Credential, scope: RequestScope | undefined): AuditSource {
  return auditSourceAs(actorOf(credential), scope)
}

function actorOf(credential: Credential): string {
  if (credential.admin) return 'admin'
  if (credential.accountId) return `${credential.console ? 'console' : 'api-token'}:${credential.accountId}`
  return credential.tokenHash ? 'deploy-token-console' : 'deploy-token'
}
