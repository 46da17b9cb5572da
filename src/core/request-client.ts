import { AsyncLocalStorage } from 'node:async_hooks'

// The client a platform request came from, for the audit log (audit/). Every change records its
// client's IP, and changes are made deep inside the use cases: carried alongside the request (the
// pattern of Hono's contextStorage) rather than through every use case's signature. Set for the
// platform's own routes only; dispatch never pays for it.
const clients = new AsyncLocalStorage<{ ip?: string }>()

/** Runs `handle` with `ip` as the client of everything it does. */
export function asClient<T>(ip: string | undefined, handle: () => T): T {
  return clients.run(ip ? { ip } : {}, handle)
}

/** The IP of the client whose request is being handled, if any. */
export function clientIp(): string | undefined {
  return clients.getStore()?.ip
}
