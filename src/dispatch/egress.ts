import { connect } from 'cloudflare:sockets'
import { canonicalHost, ipLiteral, isPublicIp } from '../lib/ip'
import { PlatformError } from '../core/errors'
import type { EgressPolicy } from '../core/model'
import { egressPolicySchema } from '../core/model-schemas'
import { parseStoredJson } from '../core/schema'

/**
 * How many times a request has passed through the platform. Stamped by the platform on the way
 * out (the egress gate, the outbound Worker) from what it knows, never copied from user code, so
 * a tenant can raise it but never reset it.
 */
export const HOPS_HEADER = 'X-Platform-Hops'

/** What the platform knows about one dispatched request that user code cannot change. */
export interface DispatchContext {
  /** How many times the request already passed through the platform (0 from a client). */
  hops: number
  /** Hosts that are the platform itself (where it was reached, and the host-routing domain). */
  platformHosts: string[]
}

/** What the egress gate (and the outbound Worker) of one user Worker needs. */
export interface EgressGateProps extends DispatchContext {
  egress: EgressPolicy
}

/** The outbound Worker's parameters (dispatch-namespace): what the gate gets as props, as strings. */
export interface OutboundParameters {
  /** The worker's EgressPolicy as JSON. */
  egress?: string
  hops?: string
  /** Comma-separated. */
  platformHosts?: string
}

/** The gate's props from the outbound Worker's parameters; anything missing means "allow-all, no hops". */
export function fromOutboundParameters(parameters: OutboundParameters): EgressGateProps {
  return {
    egress: parameters.egress
      ? parseStoredJson(egressPolicySchema, parameters.egress, 'The egress parameter')
      : { mode: 'allow-all', hosts: [] },
    hops: Number(parameters.hops) || 0,
    platformHosts: parameters.platformHosts ? parameters.platformHosts.split(',') : [],
  }
}

/** Whether a fetch to `hostname` passes the policy's mode and allow-list (see `egressRefusal` for the rest). */
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

/**
 * Why the platform refuses an outbound request or connection to `host` (as a URL or `connect()`
 * gives it), or undefined when it may go out. Only the public internet is reachable: loopback,
 * private and other special addresses, `localhost` and the platform's own hosts never are, in any
 * mode. Names are not resolved (a Worker cannot), so a public name that points at a private
 * address passes here.
 */
export function egressRefusal(props: EgressGateProps, host: string): string | undefined {
  const hostname = canonicalHost(host)?.replace(/\.+$/, '')
  if (!hostname) return `Egress blocked by the platform: "${host}" is not a valid host.`
  const ip = ipLiteral(hostname)
  if (ip ? !isPublicIp(ip) : isLocalName(hostname) || props.platformHosts.includes(hostname)) {
    return `Egress blocked by the platform: ${hostname} is not on the public internet.`
  }
  if (!egressAllows(props.egress, hostname)) return blockedMessage(hostname)
  return undefined
}

/**
 * Sends a user Worker's request on, if the rules allow it: the one path of the EgressGate
 * (dynamic-workers) and the outbound Worker (dispatch-namespace). Refusals and failures throw an
 * Error with a clear message, which the user Worker's fetch() rejects with.
 *
 * Redirects: the runtime hands a global outbound every request with `redirect: "manual"` and
 * follows a 3xx itself by sending the next hop through here again (bounded by its redirect limit),
 * so every hop is checked, and a user request that asked for `redirect: "manual"` gets the 3xx as
 * is. This function therefore never follows a redirect itself.
 */
export async function sendOutbound(request: Request, props: EgressGateProps): Promise<Response> {
  const { host, hostname } = new URL(request.url)
  const refusal = egressRefusal(props, host)
  if (refusal) failOutbound(refusal)
  const outgoing = new Request(request, { redirect: 'manual' })
  // Stamped from what the platform knows, whatever the user code sent: a loop cannot reset it.
  outgoing.headers.set(HOPS_HEADER, String(props.hops + 1))
  try {
    return await fetch(outgoing)
  } catch {
    // The runtime's own error would reach the user Worker as "internal error; reference = …".
    failOutbound(egressFailedMessage(hostname))
  }
}

/**
 * Rejects the user Worker's fetch() with `message`. The runtime turns what a gate throws into an
 * Error with that message on the caller's side; a thrown string (unlike an Error) is logged on the
 * platform's console as one line, without the platform's stack — the refusal is the tenant's
 * business, not a platform fault.
 */
function failOutbound(message: string): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- see above: the caller gets an Error
  throw message
}

/**
 * Relays a user Worker's raw socket (`connect()` from cloudflare:sockets) if its policy allows
 * sockets and the address passes the same rules as fetch(). A socket has no error channel to the
 * caller: a refused one is closed before a byte goes anywhere.
 */
export async function relaySocket(socket: Socket, props: EgressGateProps): Promise<void> {
  // On the receiving side, `opened` gives the address the user Worker passed to connect().
  const address = (await socket.opened).localAddress ?? ''
  if (!props.egress.sockets || egressRefusal(props, address)) {
    await socket.close()
    return
  }
  const upstream = connect(address)
  await Promise.all([socket.readable.pipeTo(upstream.writable), upstream.readable.pipeTo(socket.writable)]).catch(() =>
    Promise.all([socket.close(), upstream.close()]),
  )
}

/** The error a user Worker sees when an allowed request could not be made. */
export function egressFailedMessage(host: string): string {
  return `Egress failed: could not connect to ${host}.`
}

function isLocalName(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost')
}

/** The hop count a request arrives with: a client's own value is believed only if it is larger. */
export function incomingHops(header: string | null, maxHops: number): number {
  const hops = header && /^\d{1,6}$/.test(header.trim()) ? Number(header.trim()) : 0
  // Capped, so a client cannot make the platform load a worker under unbounded hop IDs.
  return Math.min(hops, maxHops + 1)
}

/** Refuses a request that went through the platform more often than `maxHops` (a worker in a loop). */
export function assertWithinHops(hops: number, maxHops: number): void {
  if (hops > maxHops) {
    throw new PlatformError(
      'loop_detected',
      `This request has passed through the platform ${hops} times (the limit is ${maxHops}): a worker is probably fetching itself in a loop.`,
    )
  }
}
