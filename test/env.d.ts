// Types for `env` and `exports` from "cloudflare:workers" inside the tests: exactly the Worker's.
type WorkerEnv = import('../src/env').Env

declare namespace Cloudflare {
  interface Env extends WorkerEnv {
    /** vitest.config.ts only: 3 uploads a minute, for the rate-limit test. */
    STRICT_UPLOAD_LIMITER: RateLimit
  }
  interface GlobalProps {
    mainModule: typeof import('../src/index')
  }
}
