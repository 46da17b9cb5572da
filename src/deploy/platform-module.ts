import type { WorkerBundle } from '../core/model'

/** The product's name: shown on every page and given to user Workers through platform.js. */
export const PLATFORM_NAME = 'Workers Platform'

/** The module the platform adds to every bundle; uploads may not use its name. */
export const PLATFORM_MODULE = 'platform.js'

export interface PlatformModuleInfo {
  name: string
  workerId: string
}

/**
 * Adds the module the platform provides to every user Worker: `import { platform } from
 * "./platform.js"`. The platform decides what user code gets; here a few facts and two helpers.
 * Its content depends only on the (immutable) Worker ID, so cached isolates stay correct.
 */
export function withPlatformModule(bundle: WorkerBundle, info: PlatformModuleInfo): WorkerBundle {
  // Service-worker scripts cannot import modules.
  if (bundle.modules.some((module) => module.name === bundle.mainModule && module.type === 'service-worker')) {
    return bundle
  }
  const source = `// Provided by ${PLATFORM_NAME}; not part of your upload.
export const platform = Object.freeze({
  name: ${JSON.stringify(PLATFORM_NAME)},
  worker: ${JSON.stringify(info.name)},
  deployment: ${JSON.stringify(info.workerId)},
  /** The path this worker is mounted at on the shared origin ("" on its own origin). */
  mount(request) {
    return request.headers.get("x-forwarded-prefix") ?? "";
  },
  /** A JSON response, marked as served by this platform. */
  json(data, init = {}) {
    const headers = new Headers(init.headers);
    headers.set("content-type", "application/json; charset=utf-8");
    headers.set("x-served-by", ${JSON.stringify(PLATFORM_NAME)});
    return new Response(JSON.stringify(data), { ...init, headers });
  },
});
export default platform;
`
  return { ...bundle, modules: [...bundle.modules, { name: PLATFORM_MODULE, type: 'esm', content: source }] }
}
