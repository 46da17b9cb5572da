import { WorkerEntrypoint } from 'cloudflare:workers'
import { object, safeParse, string } from 'valibot'
import { AssetContentMissing, assetAnswer, assetResponse } from './serve'
import { AssetStore } from './store'

/** The props the platform gives the binding: which deployment's assets. */
const propsSchema = object({ workerId: string() })

/**
 * A user Worker's assets binding (`assets.binding` in its wrangler config, `env.ASSETS` mostly):
 * `fetch(request)` answers as the deployment's static assets alone would — html_handling,
 * not_found_handling, ETags — whatever run_worker_first says, as Cloudflare's binding does. A
 * loopback binding on dynamic-workers with the deployment's Worker ID as props; dispatch-namespace
 * uploads Cloudflare's own `assets` binding instead.
 */
export class TenantAssets extends WorkerEntrypoint<Env> {
  override async fetch(request: Request): Promise<Response> {
    const props = safeParse(propsSchema, this.ctx.props)
    if (!props.success) throw new Error('This assets binding is not configured for a deployment.')
    const { workerId } = props.output
    const assets = new AssetStore(this.env.WORKER_MAPPINGS)
    const site = await assets.site(workerId)
    if (!site) return new Response('Not found', { status: 404 })
    try {
      const pending = assetAnswer(site, request.method, new URL(request.url), '')
      return await assetResponse(request, pending, (entry) => assets.body(workerId, entry))
    } catch (error) {
      if (error instanceof AssetContentMissing) return new Response('Not found', { status: 404 })
      throw error
    }
  }
}
