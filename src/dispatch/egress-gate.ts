import { WorkerEntrypoint } from 'cloudflare:workers'
import { relaySocket, sendOutbound, type EgressGateProps } from './egress'

/**
 * The global outbound of every user Worker on the dynamic-workers backend that may reach the
 * network at all (all but block-all): each fetch() and connect() it makes comes here first. Only
 * the public internet is reachable, within the worker's policy (see egress.ts).
 */
export class EgressGate extends WorkerEntrypoint<Env, EgressGateProps> {
  override fetch(request: Request): Promise<Response> {
    return sendOutbound(request, this.ctx.props)
  }

  /** A raw socket: refused unless the worker allows sockets, then only to the public internet. */
  override connect(socket: Socket): Promise<void> {
    return relaySocket(socket, this.ctx.props)
  }
}
