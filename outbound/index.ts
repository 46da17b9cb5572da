import { blockedMessage, egressAllows } from '../src/platform/egress'
import type { EgressPolicy } from '../src/platform/model'

/**
 * Outbound Worker for the dispatch-namespace backend: the `dispatcher` binding routes every fetch()
 * of every user Worker through it, with the worker's egress policy as the `egress` parameter.
 */
export default {
  async fetch(request: Request, env: { egress?: string }): Promise<Response> {
    const policy: EgressPolicy = env.egress
      ? (JSON.parse(env.egress) as EgressPolicy)
      : { mode: 'allow-all', hosts: [] }
    const { hostname } = new URL(request.url)
    if (!egressAllows(policy, hostname)) throw new Error(blockedMessage(hostname))
    return fetch(request)
  },
} satisfies ExportedHandler<{ egress?: string }>
