import { HELLO_SCRIPT, USER_COMPATIBILITY_DATE } from '../user-script.mjs'

// One fixed ID: the loader builds the isolate once and reuses it, as the platform does per Worker ID.
const WORKER_ID = 'bench-baseline-hello'

// Same shape the platform gives the loader (src/platform/dynamic-workers.ts): no bindings.
const code = () => ({
  compatibilityDate: USER_COMPATIBILITY_DATE,
  mainModule: 'worker.js',
  modules: { 'worker.js': { js: HELLO_SCRIPT } },
  env: {},
})

export default {
  fetch(request, env) {
    return env.LOADER.get(WORKER_ID, code).getEntrypoint().fetch(request)
  },
}
