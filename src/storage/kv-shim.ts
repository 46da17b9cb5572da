import { PLATFORM_NAME } from '../deploy/platform-module'
import { KV_BINDING } from './refs'
import { SETTLED_SOURCE } from './refusal'

/** The module of env.KV's facade, added with the main module of shim.ts; uploads may not use the name. */
export const STORAGE_KV_MODULE = 'platform-kv.js'

/**
 * env.KV in the tenant's isolate: the Workers KV API over the TenantKV entrypoint's `try` methods.
 * A refusal comes back as a value and is thrown here, the Error the tenant's code always got, so
 * the platform's isolate has no exception to log (storage/refusal.ts).
 */
export const KV_SOURCE = `// Provided by ${PLATFORM_NAME}; not part of your upload. env.${KV_BINDING}: the KV API over your worker's keys.
${SETTLED_SOURCE}

export class KVNamespace {
  #binding;
  constructor(binding) {
    this.#binding = binding;
  }
  async get(key, options) {
    return settled(await this.#binding.tryGet(key, options));
  }
  async getWithMetadata(key, options) {
    return settled(await this.#binding.tryGetWithMetadata(key, options));
  }
  async put(key, value, options) {
    return settled(await this.#binding.tryPut(key, value, options));
  }
  async delete(key) {
    return settled(await this.#binding.tryDelete(key));
  }
  async list(options) {
    return settled(await this.#binding.tryList(options));
  }
}
`
