import { fromOutboundParameters, relaySocket, sendOutbound, type OutboundParameters } from '../src/dispatch/egress'

/**
 * Outbound Worker for the dispatch-namespace backend: the `dispatcher` binding routes every fetch()
 * of every user Worker through it, with the worker's egress policy, the request's hop count and
 * the platform's hosts as parameters. The same rules as the platform's own EgressGate apply.
 */
export default {
  fetch(request: Request, env: OutboundParameters): Promise<Response> {
    return sendOutbound(request, fromOutboundParameters(env))
  },
  // For a runtime that hands an outbound Worker raw sockets too (not verified on Cloudflare).
  connect(socket: Socket, env: OutboundParameters): Promise<void> {
    return relaySocket(socket, fromOutboundParameters(env))
  },
} satisfies ExportedHandler<OutboundParameters>
