import { WorkerEntrypoint } from 'cloudflare:workers'
import { boolean, object, pipe, safeParse, string, excludes } from 'valibot'

/** The props the platform gives the binding: whose caches, and whether the namespace is trusted. */
const propsSchema = object({ name: pipe(string(), excludes('/')), ownerId: string(), trusted: boolean() })

/**
 * The Cache API of a user Worker on dynamic-workers, where a loaded isolate has none of its own
 * ("No Cache was configured"): the tenant's `caches` (cache/cache-shim.ts) calls this entrypoint,
 * which keeps entries in the platform's own Cache API, as Workers for Platforms defines it per
 * isolation mode. Untrusted (the default): `caches.open(name)` is the worker's own (its name and
 * owner are part of the cache's name) and `caches.default` is disabled — a miss, storing nothing.
 * Trusted (USER_WORKERS_TRUSTED): both are the platform's, shared by every worker.
 */
export class TenantCache extends WorkerEntrypoint<Env> {
  async match(cacheName: string | null, request: Request, options?: CacheQueryOptions): Promise<Response | undefined> {
    return (await this.cache(cacheName))?.match(request, options)
  }

  async put(cacheName: string | null, request: Request, response: Response): Promise<void> {
    const cache = await this.cache(cacheName)
    // Disabled: the body is still read to its end, or the tenant's side of the stream waits for ever.
    if (!cache) await response.body?.cancel()
    else await cache.put(request, response)
  }

  async delete(cacheName: string | null, request: Request, options?: CacheQueryOptions): Promise<boolean> {
    return (await this.cache(cacheName))?.delete(request, options) ?? false
  }

  /** The cache a tenant's cache name stands for; null: caches.default of an untrusted worker (disabled). */
  private async cache(cacheName: string | null): Promise<Cache | null> {
    const props = safeParse(propsSchema, this.ctx.props)
    if (!props.success) throw new Error('This cache binding is not configured for a worker.')
    const { name, ownerId, trusted } = props.output
    if (cacheName === null) return trusted ? caches.default : null
    return caches.open(trusted ? cacheName : `${name}/${ownerId}:${cacheName}`)
  }
}
