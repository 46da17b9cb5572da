/** Bindings and variables the dispatch Worker receives (see wrangler.jsonc and the README). */
export interface Env {
  WORKER_MAPPINGS: KVNamespace;
  /** One Durable Object per worker name: serialises claims and deploys, holds the owner. */
  NAME_CLAIMS: DurableObjectNamespace<import('./platform/claims').NameClaim>;
  /** Rate Limiting binding for uploads, keyed by client IP (optional: no limit without it). */
  UPLOAD_LIMITER?: RateLimit;
  /** Worker Loader: runs user code on the dynamic-workers backend and checks uploads. */
  LOADER?: WorkerLoader;
  /** Workers for Platforms dispatch namespace binding (only in `--env dispatch-namespace`). */
  dispatcher?: DispatchNamespace;

  USER_WORKERS_BACKEND?: string;
  CLOUDFLARE_API_TOKEN?: string;
  CLOUDFLARE_ACCOUNT_ID?: string;
  CLOUDFLARE_API_BASE_URL?: string;
  DISPATCH_NAMESPACE?: string;
  MAX_SCRIPT_BYTES?: string;
  USER_WORKERS_COMPATIBILITY_DATE?: string;
  ADMIN_TOKEN?: string;
  USER_WORKERS_DOMAIN?: string;
  USER_WORKERS_SANDBOX?: string;
  DEPLOYMENT_GRACE_SECONDS?: string;
  TAIL_CONSUMER?: string;
  SECRETS_KEY?: string;
  USER_CPU_MS?: string;
  USER_CPU_MS_MAX?: string;
  USER_SUBREQUESTS?: string;
  USER_SUBREQUESTS_MAX?: string;
}

/** Hono's typed context for every route and middleware. */
export interface AppEnv {
  Bindings: Env
  Variables: {
    platform: import('./platform/service').PlatformService
  }
}
