import { array, boolean, looseObject, number, optional, picklist, string, type GenericSchema } from 'valibot'

/** How long a claim may stay unverified before it expires and frees the hostname. */
export const DOMAIN_CLAIM_MS = 72 * 60 * 60_000
/** How often a serving hostname's status is read again (Cloudflare may report it moved or deleted). */
export const SERVING_RECHECK_MS = 24 * 60 * 60_000
/** The first re-check of a pending hostname, doubled after each until MAX_BACKOFF_MS. */
export const FIRST_CHECK_MS = 30_000
export const MAX_BACKOFF_MS = 60 * 60_000

/** A DNS record the tenant creates: the proof of ownership, or of control for the certificate. */
export interface DnsRecord {
  type: 'TXT' | 'CNAME'
  name: string
  value: string
}

/** An HTTP token the certificate authority may fetch instead of a DNS record. */
export interface HttpToken {
  url: string
  body: string
}

/**
 * One hostname's claim, as its CustomDomain object keeps it. Cloudflare for SaaS needs two proofs
 * (hostname-validation): ownership (`status`) and the certificate's (`sslStatus`); the platform adds
 * a third of its own, `txtSeen`, the claim's fresh ownership TXT found in DNS, so a CNAME someone
 * left behind (which validates at Cloudflare on its own) never lets another tenant take the hostname.
 */
export interface DomainState {
  hostname: string
  /** The worker it serves, and that worker's owner at the claim (a name claimed again is another worker). */
  name: string
  ownerId: string
  claimedAt: number
  /** When the claim expires unless it serves by then. */
  expiresAt: number
  /** The custom hostname's ID on the SaaS zone, once created. */
  cloudflareId?: string
  /** Cloudflare's hostname status (`pending`, `active`, `moved`, `deleted`, `blocked`, …), as reported. */
  status: string
  /** Cloudflare's certificate status (`initializing`, `pending_validation`, `active`, …), as reported. */
  sslStatus: string
  /** The ownership TXT record to create (Cloudflare's `ownership_verification`), once Cloudflare gave it. */
  ownership?: DnsRecord
  /** Records (or HTTP tokens) the certificate's validation asks for, once given. */
  certificateRecords: DnsRecord[]
  httpTokens: HttpToken[]
  /** What Cloudflare says is wrong (verification and validation errors). */
  messages: string[]
  txtSeen: boolean
  serving: boolean
  /** Reads of the status so far (the backoff), when the last was, and when the next is due. */
  checks: number
  checkedAt?: number
  nextCheckAt: number
  /** Why the last call to Cloudflare failed, when it did. */
  error?: string
}

const dnsRecord = looseObject({ type: picklist(['TXT', 'CNAME']), name: string(), value: string() })

/** A claim as stored: read back through this, never cast. */
export const domainStateSchema: GenericSchema<DomainState> = looseObject({
  hostname: string(),
  name: string(),
  ownerId: string(),
  claimedAt: number(),
  expiresAt: number(),
  cloudflareId: optional(string()),
  status: string(),
  sslStatus: string(),
  ownership: optional(dnsRecord),
  certificateRecords: array(dnsRecord),
  httpTokens: array(looseObject({ url: string(), body: string() })),
  messages: array(string()),
  txtSeen: boolean(),
  serving: boolean(),
  checks: number(),
  checkedAt: optional(number()),
  nextCheckAt: number(),
  error: optional(string()),
})

/** Traffic flows only when all three proofs hold. */
export function isVerified(state: Pick<DomainState, 'status' | 'sslStatus' | 'txtSeen'>): boolean {
  return state.txtSeen && state.status === 'active' && state.sslStatus === 'active'
}

/** When a hostname's status is read next after `checks` reads: 30 s, 1 min, 2 min, … at most an hour. */
export function nextCheck(state: Pick<DomainState, 'serving' | 'checks'>, now: number): number {
  if (state.serving) return now + SERVING_RECHECK_MS
  return now + Math.min(FIRST_CHECK_MS * 2 ** Math.max(0, state.checks - 1), MAX_BACKOFF_MS)
}

/** A fresh claim of `hostname` for a worker: nothing proven yet. */
export function newClaim(hostname: string, worker: { name: string; ownerId: string }, now: number): DomainState {
  return {
    hostname,
    name: worker.name,
    ownerId: worker.ownerId,
    claimedAt: now,
    expiresAt: now + DOMAIN_CLAIM_MS,
    status: 'pending',
    sslStatus: 'pending',
    certificateRecords: [],
    httpTokens: [],
    messages: [],
    txtSeen: false,
    serving: false,
    checks: 0,
    nextCheckAt: now,
  }
}

/** A development hostname (`.test`, no SaaS zone): every proof holds at once. */
export function verifiedAtOnce(state: DomainState): DomainState {
  return { ...state, status: 'active', sslStatus: 'active', txtSeen: true, serving: true }
}

/** What the worker page and the API show of a claim: everything but the owner's ID. */
export type DomainView = Omit<DomainState, 'ownerId' | 'checks'> & {
  /** One word for the state: `serving`, `pending`, or `failed` (Cloudflare reports moved, deleted or blocked). */
  state: 'serving' | 'pending' | 'failed'
}

const FAILED = new Set(['moved', 'deleted', 'blocked'])

export function viewOf({ ownerId: _ownerId, checks: _checks, ...state }: DomainState): DomainView {
  const failed = FAILED.has(state.status) || state.sslStatus.endsWith('_timed_out') || state.sslStatus === 'deleted'
  return { ...state, state: state.serving ? 'serving' : failed ? 'failed' : 'pending' }
}
