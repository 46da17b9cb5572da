import { DurableObject } from 'cloudflare:workers'
import { parseStored } from '../core/schema'
import { DEPLOYMENT_HEADER, OBJECT_KEY_HEADER, objectKeySchema, type ObjectKey } from '../objects/object-key'
import { ALARM_METHOD } from '../objects/objects-shim'
import { platformFor } from './index'

/** The facet that runs the tenant's object: one per host, under a fixed name whatever its class is called. */
const FACET = 'object'
/** Where the host keeps which tenant object it runs (its alarm has no caller to say). */
const KEY = 'key'
/** How long a suspended worker's due alarm waits before it looks again. */
const SUSPENDED_RETRY_MS = 60 * 60_000

type Callable = Record<string, (...args: unknown[]) => Promise<unknown>>

/**
 * The platform's host of one tenant Durable Object (dynamic-workers, with Durable Object Facets):
 * it runs the tenant's class as a facet with storage of its own, loaded from the deployment the
 * worker's name serves, and replaces it when a new deployment serves (deploy, rollback, promote),
 * so new code takes over the same data. Facets cannot set alarms: the object's alarm is the host's
 * own, which calls the object's `alarm()` when due. It lives with the composition because it asks
 * the platform for the class (like CronRunner); the parts are in objects/.
 */
export class TenantObject extends DurableObject<Env> {
  /** The Worker ID whose class the facet runs, while it runs. */
  private running: string | undefined
  /** Whether this host's key is stored and indexed (see remember): checked in memory after the first call. */
  private remembered = false

  /**
   * stub.fetch(), as HTTP from the binding's entrypoint (the only caller: user Workers never hold a
   * host), which says whose object and which deployment in headers taken out here.
   */
  override async fetch(request: Request): Promise<Response> {
    const key = parseStored(
      objectKeySchema,
      JSON.parse(request.headers.get(OBJECT_KEY_HEADER) ?? 'null'),
      'The object key',
    )
    const deployment = request.headers.get(DEPLOYMENT_HEADER) ?? undefined
    const headers = new Headers(request.headers)
    headers.delete(OBJECT_KEY_HEADER)
    headers.delete(DEPLOYMENT_HEADER)
    return (await this.facet(key, deployment)).fetch(new Request(request, { headers }))
  }

  /** `deployment`: the Worker ID of the caller's code (see facet). */
  async callObject(key: ObjectKey, deployment: string, method: string, args: unknown[]): Promise<unknown> {
    const facet = (await this.facet(key, deployment)) as unknown as Callable
    return facet[method]!(...args)
  }

  /** Sets (or, with null, deletes) the object's alarm. */
  async setObjectAlarm(key: ObjectKey, scheduledTime: number | null): Promise<void> {
    await this.remember(key)
    if (scheduledTime === null) await this.ctx.storage.deleteAlarm()
    else await this.ctx.storage.setAlarm(scheduledTime)
  }

  async getObjectAlarm(key: ObjectKey): Promise<number | null> {
    await this.remember(key)
    return this.ctx.storage.getAlarm()
  }

  /** The object's alarm is due: its `alarm()` runs (a throw retries it, as on Cloudflare). */
  override async alarm(info?: AlarmInvocationInfo): Promise<void> {
    const stored = this.ctx.storage.kv.get(KEY)
    if (stored === undefined) return
    const key = parseStored(objectKeySchema, stored, 'The hosted object')
    // A suspended worker's alarms wait: checked again hourly, so one fires soon after a resume.
    if (await platformFor(this.env).dispatch.isSuspended(key)) {
      await this.ctx.storage.setAlarm(Date.now() + SUSPENDED_RETRY_MS)
      return
    }
    // No caller says which deployment serves: ask.
    const facet = (await this.facet(
      key,
      (await platformFor(this.env).dispatch.currentWorkerId(key)) ?? undefined,
    )) as unknown as Callable
    // The runtime's AlarmInvocationInfo cannot cross RPC: its values can.
    await facet[ALARM_METHOD]!(info && { retryCount: info.retryCount, isRetry: info.isRetry })
  }

  /** Deletes the object and everything it stored (the worker or its class was deleted). */
  async destroy(): Promise<void> {
    this.ctx.facets.delete(FACET)
    this.running = undefined
    this.remembered = false
    await this.ctx.storage.deleteAlarm()
    await this.ctx.storage.deleteAll()
  }

  /**
   * The running facet, started with the class of the deployment the name serves. A caller whose
   * code is another deployment than the one running (the first call after a deploy, rollback or
   * promote, or a preview's) makes the host ask which one serves now: the facet is replaced when
   * that changed. Calls from the running deployment ask nothing.
   */
  private async facet(key: ObjectKey, deployment: string | undefined): Promise<Fetcher> {
    await this.remember(key)
    const platform = platformFor(this.env)
    if (this.running !== undefined && deployment !== this.running) {
      const serving = deployment === undefined ? null : await platform.dispatch.currentWorkerId(key)
      if (serving !== this.running) {
        this.ctx.facets.abort(FACET, new Error('A new deployment of this worker replaced the object’s code.'))
        this.running = undefined
      }
    }
    return this.ctx.facets.get(FACET, async () => {
      const { workerId, objectClass } = await platform.dispatch.objectClass(key, key.namespace, key.className)
      this.running = workerId
      return { class: objectClass, id: key.id }
    })
  }

  /** At the first touch: indexed in the name's object (for deletion), which refuses an owner that no longer holds the name. */
  private async remember(key: ObjectKey): Promise<void> {
    if (this.remembered) return
    if (this.ctx.storage.kv.get(KEY) === undefined) {
      const platform = platformFor(this.env)
      await platform.objects.register(key, platform.config.storageQuotas.objectsMax)
      this.ctx.storage.kv.put(KEY, key)
    }
    this.remembered = true
  }
}
