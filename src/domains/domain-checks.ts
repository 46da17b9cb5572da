import { PlatformError } from '../core/errors'
import type { CustomHostnamesApi } from './custom-hostnames'
import { DOMAIN_CLAIM_MS, isVerified, nextCheck, type DomainState } from './domain-state'

/** What a check of a claim asks: Cloudflare for SaaS (absent without a SaaS zone), and DNS. */
export interface DomainServices {
  api: Pick<CustomHostnamesApi, 'create' | 'read' | 'delete'> | undefined
  /** The TXT values at a name (dns.ts). */
  txt: (name: string) => Promise<string[]>
}

/**
 * The claim after one check: the custom hostname created if it has none yet (the first claim, or a
 * create that failed), else read again; the claim's ownership TXT looked up until it is seen. Page
 * reads never get here: only the claim itself and its object's alarm do. A failed call is kept as
 * `error` and retried at the next check.
 */
export async function checkClaim(state: DomainState, services: DomainServices, now: number): Promise<DomainState> {
  const { api } = services
  if (!api) return state
  const { error: _previous, ...claim } = state
  let next: DomainState = { ...claim, checks: state.checks + 1, checkedAt: now }
  try {
    const report =
      state.cloudflareId === undefined ? await api.create(state.hostname) : await api.read(state.cloudflareId)
    if (report === null) {
      // Deleted on the zone by someone else: the claim ends as a failed one (and expires).
      const { cloudflareId: _gone, ...rest } = next
      next = { ...rest, status: 'deleted', sslStatus: 'deleted' }
    } else {
      next = { ...next, ...report }
    }
  } catch (error) {
    next = { ...next, error: error instanceof PlatformError ? error.message : 'The Cloudflare API failed.' }
  }
  if (!next.txtSeen && next.ownership) {
    const { name, value } = next.ownership
    next = { ...next, txtSeen: (await services.txt(name)).includes(value) }
  }
  const serving = isVerified(next)
  // A hostname that stops serving (moved, deleted on the zone) gets a claim's time to come back.
  const expiresAt = state.serving && !serving ? now + DOMAIN_CLAIM_MS : next.expiresAt
  return { ...next, serving, expiresAt, nextCheckAt: nextCheck({ serving, checks: next.checks }, now) }
}
