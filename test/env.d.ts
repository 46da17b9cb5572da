// Types for `env` and `exports` from "cloudflare:workers" inside the tests: exactly the Worker's.
type WorkerEnv = import('../src/env').Env

declare namespace Cloudflare {
  interface Env extends WorkerEnv {}
  interface GlobalProps {
    mainModule: typeof import('../src/index')
  }
}
