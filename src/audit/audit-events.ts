import { picklist, type GenericSchema } from 'valibot'
import type { Deployment, WorkerRecord } from '../core/model'

/**
 * What the audit log records: every change to a worker or an account, who made it and from where.
 * Secrets appear by name only; values never reach the log.
 */
export const AUDIT_ACTIONS = [
  'claim',
  'deploy',
  'promote',
  'rollback',
  'rollout',
  'rollout-end',
  'suspend',
  'resume',
  'budget',
  'delete',
  'domain-add',
  'domain-remove',
  'token-rotate',
  'account-join',
  'account-create',
  'api-token-issue',
  'api-token-revoke',
  'account-suspend',
  'account-resume',
] as const

export type AuditAction = (typeof AUDIT_ACTIONS)[number]

/** An action read back from storage. */
export const auditActionSchema: GenericSchema<string, AuditAction> = picklist(AUDIT_ACTIONS)

/** One entry as the name's (or account's) object writes it: the change, in words a person reads. */
export interface AuditEntry {
  action: AuditAction
  detail: string
}

/** Who made a change and from where, as the object that records it was told. */
export interface AuditSource {
  /** `admin`, `api-token:<account>`, `console:<account>`, `deploy-token`, `deploy-token-console`. */
  actor: string
  /** The client's IP (CF-Connecting-IP), when the change came from a request. */
  ip?: string
}

/** An entry as it is read back: numbered, dated, attributed. */
export interface AuditEvent extends AuditEntry, AuditSource {
  id: number
  at: string
  /** The worker it is about (absent for an account's own events). */
  name?: string
  /** The account it is about, for account events. */
  accountId?: string
}

/**
 * The entries a commit makes, worked out from the record before and after it: every change to a
 * name goes through one commit, so nothing a use case forgets to say can go unrecorded.
 */
export function describeChange(
  before: WorkerRecord | null,
  after: WorkerRecord,
  /** The secrets the change gave a value (names only): one it replaced shows no other way. */
  secretsSet: string[] = [],
): AuditEntry[] {
  const entries: AuditEntry[] = []
  if (!before) entries.push({ action: 'claim', detail: `Claimed the name ${after.name}.` })
  const known = new Set(before?.deployments.map((deployment) => deployment.workerId))
  const previous = before && before.deployments.find((deployment) => deployment.workerId === before.workerId)
  for (const deployment of after.deployments.filter((deployment) => !known.has(deployment.workerId)).reverse()) {
    const live = deployment.workerId === after.workerId
    entries.push({
      action: 'deploy',
      detail:
        `Deployed ${deployment.label} (${deployment.workerId}), ${live ? 'serving' : 'as a candidate'}. ${settingsDetail(previous, deployment, secretsSet)}`.trim(),
    })
  }
  if (before && known.has(after.workerId) && before.workerId !== after.workerId) {
    const serving = after.deployments.find((deployment) => deployment.workerId === after.workerId)
    const back = previous && serving && serving.sequence < previous.sequence
    entries.push({
      action: back ? 'rollback' : 'promote',
      detail: `${back ? 'Rolled back to' : 'Promoted'} ${serving?.label ?? after.workerId} (${after.workerId}).`,
    })
  }
  entries.push(...rolloutEntries(before, after), ...operatorEntries(before, after))
  return entries
}

function rolloutEntries(before: WorkerRecord | null, after: WorkerRecord): AuditEntry[] {
  const was = before?.rollout
  const now = after.rollout
  if (now && (was?.candidate !== now.candidate || was.percent !== now.percent)) {
    return [{ action: 'rollout', detail: `Rolled ${now.candidate} out to ${now.percent} % of visitors.` }]
  }
  if (was && !now) return [{ action: 'rollout-end', detail: `Ended the rollout of ${was.candidate}.` }]
  return []
}

function operatorEntries(before: WorkerRecord | null, after: WorkerRecord): AuditEntry[] {
  const entries: AuditEntry[] = []
  if (after.suspended && !before?.suspended) {
    const scope = after.suspended.scope === 'account' ? ' (its account is suspended)' : ''
    entries.push({ action: 'suspend', detail: `Suspended${scope}: ${after.suspended.reason}` })
  }
  if (before?.suspended && !after.suspended) entries.push({ action: 'resume', detail: 'Resumed.' })
  if (before) entries.push(...budgetEntries(before, after))
  return entries
}

/** One entry per budget an admin set or reset to the platform's default. */
function budgetEntries(before: WorkerRecord, after: WorkerRecord): AuditEntry[] {
  const budgets = [
    ['requestsPerDay', 'requests'],
    ['cpuMsPerDay', 'CPU ms'],
  ] as const
  return budgets.flatMap(([field, unit]): AuditEntry[] => {
    const was = before.budget?.[field]
    const now = after.budget?.[field]
    if (was === now) return []
    const detail =
      now === undefined
        ? `Daily ${unit} budget reset to the platform’s default.`
        : `Daily ${unit} budget set to ${now}.`
    return [{ action: 'budget', detail }]
  })
}

/** What a deployment changed against the one serving before it: names of vars and secrets, tags. */
function settingsDetail(previous: Deployment | null | undefined, deployment: Deployment, secretsSet: string[]): string {
  const before = previous?.settings
  const after = deployment.settings
  if (!after) return ''
  const parts: string[] = []
  const listed = (label: string, from: string[], to: string[]) => {
    const added = to.filter((name) => !from.includes(name))
    const removed = from.filter((name) => !to.includes(name))
    if (added.length > 0) parts.push(`${label} added: ${added.join(', ')}`)
    if (removed.length > 0) parts.push(`${label} removed: ${removed.join(', ')}`)
  }
  listed('Secrets', before?.secretNames ?? [], after.secretNames)
  const replaced = secretsSet.filter((name) => before?.secretNames.includes(name))
  if (replaced.length > 0) parts.push(`Secrets given a new value: ${replaced.join(', ')}`)
  listed('Vars', Object.keys(before?.vars ?? {}), Object.keys(after.vars))
  listed('Tags', before?.tags ?? [], after.tags ?? [])
  return parts.length > 0 ? `${parts.join('; ')}.` : ''
}
