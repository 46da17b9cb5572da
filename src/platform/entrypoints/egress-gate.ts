import { WorkerEntrypoint } from 'cloudflare:workers'
import { blockedMessage, egressAllows } from '../egress'
import type { EgressPolicy } from '../model'

/**
 * The global outbound of allow-listed user Workers on the dynamic-workers backend: every fetch()
 * they make comes here first. A blocked host fails inside the user Worker with a clear error.
 */
export class EgressGate extends WorkerEntrypoint<Env, { egress: EgressPolicy }> {
  override async fetch(request: Request): Promise<Response> {
    const { hostname } = new URL(request.url)
    if (!egressAllows(this.ctx.props.egress, hostname)) throw new Error(blockedMessage(hostname))
    return fetch(request)
  }
}
