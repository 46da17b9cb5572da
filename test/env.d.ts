import type { Env } from '../src/env'

declare global {
  namespace Cloudflare {
    // The test environment has exactly the Worker's bindings.
    interface Env extends import('../src/env').Env {}
  }
}
export type { Env }
