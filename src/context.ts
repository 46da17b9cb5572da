import type { PlatformService } from './platform/service'

/** Hono's typed context for every route and middleware: the bindings, and the platform service. */
export interface AppEnv {
  Bindings: Env
  Variables: {
    platform: PlatformService
  }
}
