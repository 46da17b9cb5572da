import { WorkerEntrypoint } from 'cloudflare:workers'
import {
  DEPLOYMENT_HEADER,
  OBJECT_ID_HEADER,
  OBJECT_KEY_HEADER,
  assertCallable,
  assertNamespaceRef,
  hostName,
  objectKey,
  type NamespaceRef,
  type ObjectKey,
} from './object-key'

/**
 * A user Worker's Durable Object binding (its facade is objects-shim.ts): the platform hands it
 * this entrypoint with the worker's name, owner and namespace as props, so its code reaches only
 * objects of its own. Each call goes to the object's host (platform/tenant-object.ts), which runs
 * the tenant's class as a facet with its own storage.
 */
export class TenantObjects extends WorkerEntrypoint<Env, NamespaceRef> {
  /** stub.fetch(): the object named by the facade's header (see OBJECT_ID_HEADER). */
  override fetch(request: Request): Promise<Response> {
    const key = this.key(request.headers.get(OBJECT_ID_HEADER))
    const headers = new Headers(request.headers)
    headers.delete(OBJECT_ID_HEADER)
    headers.set(OBJECT_KEY_HEADER, JSON.stringify(key))
    headers.set(DEPLOYMENT_HEADER, this.ctx.props.deployment)
    return this.host(key).fetch(new Request(request, { headers }))
  }

  callObject(id: string, method: string, args: unknown[]): Promise<unknown> {
    const key = this.key(id)
    return this.host(key).callObject(key, this.ctx.props.deployment, assertCallable(method), args)
  }

  /** The object's alarm, kept by its host: a facet may not set one itself. */
  async setAlarm(id: string, scheduledTime: number): Promise<void> {
    if (!Number.isFinite(scheduledTime)) throw new TypeError('setAlarm() takes a time (a Date or milliseconds).')
    const key = this.key(id)
    await this.host(key).setObjectAlarm(key, scheduledTime)
  }

  getAlarm(id: string): Promise<number | null> {
    const key = this.key(id)
    return this.host(key).getObjectAlarm(key)
  }

  async deleteAlarm(id: string): Promise<void> {
    const key = this.key(id)
    await this.host(key).setObjectAlarm(key, null)
  }

  private key(id: unknown): ObjectKey {
    return objectKey(assertNamespaceRef(this.ctx.props), id)
  }

  private host(key: ObjectKey) {
    return this.env.TENANT_OBJECTS.getByName(hostName(key))
  }
}
