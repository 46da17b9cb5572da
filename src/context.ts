import type { Platform } from './platform/platform'

/** Hono's typed context for every route and middleware: the bindings, and the platform's use cases. */
export interface AppEnv {
  Bindings: Env
  Variables: {
    platform: Platform
  }
}
