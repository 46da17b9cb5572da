import { HELLO_SCRIPT, USER_COMPATIBILITY_DATE } from '../user-script.mjs'

// One fixed ID: the loader builds the isolate once and reuses it, as the platform does per Worker ID.
const WORKER_ID = 'bench-baseline-hello'

// Same shape the platform gives the loader (src/platform/backends/dynamic-workers.ts): no bindings.
const code = () => ({
  compatibilityDate: USER_COMPATIBILITY_DATE,
  mainModule: 'worker.js',
  modules: { 'worker.js': { js: HELLO_SCRIPT } },
  env: {},
})

// The platform's default sandbox for the shared origin (src/platform/config.ts).
const SANDBOX = 'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads'

/**
 * The confinement the platform applies to user responses on its shared origin
 * (src/middleware/security.ts, confine): loader responses have immutable headers, so this is a copy.
 */
function confine(response) {
  const confined = new Response(response.body, response)
  confined.headers.delete('Set-Cookie')
  confined.headers.append('Content-Security-Policy', SANDBOX)
  return confined
}

export default {
  fetch(request, env) {
    const response = env.LOADER.get(WORKER_ID, code).getEntrypoint().fetch(request)
    // "/sandboxed": the bare baseline plus only the security copy, to separate its cost from the rest.
    return request.url.endsWith('/sandboxed') ? response.then(confine) : response
  },
}
