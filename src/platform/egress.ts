import type { EgressMode, EgressPolicy } from './model'

export const EGRESS_MODES: readonly EgressMode[] = ['allow-all', 'block-all', 'allow-list']

/** Whether a fetch to `hostname` passes the policy. */
export function egressAllows(policy: EgressPolicy, hostname: string): boolean {
  if (policy.mode === 'allow-all') return true
  if (policy.mode === 'block-all') return false
  const host = hostname.toLowerCase()
  return policy.hosts.some((allowed) => (allowed.startsWith('*.') ? host.endsWith(allowed.slice(1)) : host === allowed))
}

/** The error a user Worker sees when the platform blocks one of its fetches. */
export function blockedMessage(hostname: string): string {
  return `Egress blocked by the platform: ${hostname} is not on this worker's allow-list.`
}
