import { PLATFORM_NAME } from '../deploy/platform-module'

/** The env binding the tenant's `caches` calls (taken out of the env its code sees); uploads may not use the name. */
export const CACHE_BINDING = '__PLATFORM_CACHE'

/** The module of the tenant's `caches`, added with the main module of storage/shim.ts. */
export const CACHE_MODULE = 'platform-caches.js'

/**
 * The Cache API in the tenant's isolate on dynamic-workers: `caches.default` and `caches.open(name)`
 * over the TenantCache entrypoint (cache/tenant-cache.ts), installed as the global `caches` before
 * the Worker's first request is handled.
 */
export const CACHE_SOURCE = `// Provided by ${PLATFORM_NAME}; not part of your upload. The Cache API (caches) over the platform's cache.
class Cache {
  #binding;
  #name;
  constructor(binding, name) {
    this.#binding = binding;
    this.#name = name;
  }
  match(request, options) {
    return this.#binding.match(this.#name, new Request(request), options);
  }
  put(request, response) {
    return this.#binding.put(this.#name, new Request(request), response);
  }
  delete(request, options) {
    return this.#binding.delete(this.#name, new Request(request), options);
  }
}

class CacheStorage {
  #binding;
  constructor(binding) {
    this.#binding = binding;
    this.default = new Cache(binding, null);
  }
  async open(name) {
    return new Cache(this.#binding, String(name));
  }
}

export function installCaches(binding) {
  Object.defineProperty(globalThis, "caches", { value: new CacheStorage(binding), configurable: true, writable: true });
}
`

/** Whether a Worker's code uses the Cache API (it names `caches`): only then does it get the platform's. */
export function usesCaches(sources: string[]): boolean {
  return sources.some((source) => /\bcaches\b/.test(source))
}
