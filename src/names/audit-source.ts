import type { AuditSource } from '../audit/audit-events'
import { auditSourceAs } from '../audit/sources'
import type { Credential } from './ownership'

/**
 * Who a credential is, as the audit log names it, and the client the request came from. A deploy
 * token is named as the worker's token, not by its value; an account by its ID.
 */
export function auditSource(credential: Credential): AuditSource {
  return auditSourceAs(actorOf(credential))
}

function actorOf(credential: Credential): string {
  if (credential.admin) return 'admin'
  if (credential.accountId) return `${credential.console ? 'console' : 'api-token'}:${credential.accountId}`
  return credential.tokenHash ? 'deploy-token-console' : 'deploy-token'
}
