// Bindings the tests see from "cloudflare:workers" beyond the Worker's own (worker-configuration.d.ts).
declare namespace Cloudflare {
  interface Env {
    /** vitest.config.ts only: 3 uploads a minute, for the rate-limit test. */
    STRICT_UPLOAD_LIMITER: RateLimit
    /** vitest.config.ts only: 3 refused tokens a minute, for the failed-credential test. */
    STRICT_AUTH_FAILURE_LIMITER: RateLimit
  }
}

// Vite's `?raw` imports: a file's text (used to check that documentation and code agree).
declare module '*?raw' {
  const text: string
  export default text
}
