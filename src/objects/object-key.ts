import { object, picklist, pipe, regex, safeParse, string, type GenericSchema } from 'valibot'

/**
 * Which tenant object a call is for: the worker's name and the owner that holds it, the namespace
 * (objects/namespaces.ts) and the class it is bound to, and the object's own 64-hex-digit id. Set by
 * the platform (the binding's props), the id by the tenant's code (checked).
 */
export interface ObjectKey {
  name: string
  ownerId: string
  namespace: string
  className: string
  id: string
}

/**
 * The props of a Durable Object binding: everything of the key but the object's id, and the
 * deployment whose code holds the binding (a hint: the host reloads the class when it differs).
 */
export type NamespaceRef = Omit<ObjectKey, 'id'> & { deployment: string }

const NO_SLASH = regex(/^[^/]+$/)
const CLASS_NAME = regex(/^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/)
export const OBJECT_ID = /^[0-9a-f]{64}$/

const namespaceRefSchema = {
  name: pipe(string(), NO_SLASH),
  ownerId: pipe(string(), NO_SLASH),
  namespace: pipe(string(), CLASS_NAME),
  className: pipe(string(), CLASS_NAME),
}
const namespaceRef: GenericSchema<NamespaceRef> = object({ ...namespaceRefSchema, deployment: string() })
export const objectKeySchema: GenericSchema<ObjectKey> = object({
  ...namespaceRefSchema,
  id: pipe(string(), regex(OBJECT_ID)),
})

/** The binding's props, checked before they are trusted (a misconfigured binding fails loudly). */
export function assertNamespaceRef(props: unknown): NamespaceRef {
  const ref = safeParse(namespaceRef, props)
  if (!ref.success) throw new Error('This Durable Object binding is not configured for a worker.')
  return ref.output
}

/** An id the tenant's code passed: 64 lowercase hex digits, as its namespace makes them. */
export function objectKey({ name, ownerId, namespace, className }: NamespaceRef, id: unknown): ObjectKey {
  if (typeof id !== 'string' || !OBJECT_ID.test(id)) {
    throw new TypeError('Invalid Durable Object ID: must be 64 hex digits.')
  }
  return { name, ownerId, namespace, className, id }
}

/**
 * The name of the platform's host object of one tenant object: one host per object (many objects
 * in one host would serialise them all). No part holds a "/", so no two keys share a name.
 */
export function hostName({ name, ownerId, namespace, id }: ObjectKey): string {
  return `${name}/${ownerId}/${namespace}/${id}`
}

/**
 * stub.fetch() travels as HTTP (an RPC call cannot carry a WebSocket): the tenant's facade names the
 * object in this header, and the entrypoint puts the whole key and the caller's deployment in the
 * other two for the host, which takes all three out before the object sees the request.
 */
export const OBJECT_ID_HEADER = 'X-Platform-Object-Id'
export const OBJECT_KEY_HEADER = 'X-Platform-Object-Key'
export const DEPLOYMENT_HEADER = 'X-Platform-Deployment'

/** The method names a stub may call: the object's own, not the platform's or JavaScript's. */
const RESERVED = ['constructor', 'fetch', 'alarm', 'webSocketMessage', 'webSocketClose', 'webSocketError'] as const
export function assertCallable(method: unknown): string {
  if (typeof method !== 'string' || method.startsWith('__') || safeParse(picklist(RESERVED), method).success) {
    throw new TypeError(`"${String(method)}" is not a method a Durable Object stub can call.`)
  }
  return method
}
