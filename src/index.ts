import { Hono } from 'hono/tiny'
import type { AppEnv } from './context'
import { withPlatform } from './middleware/platform'
import { limitFailedCredentials, platformHeaders } from './middleware/security'
import { tailDispatchNamespace } from './logs/log-tail'
import { api } from './routes/api'
import { clientApi } from './routes/client-api'
import { CLIENT_API_MOUNT } from './client-api/envelope'
import { assets } from './routes/assets'
import { dispatch, hostDispatch } from './routes/dispatch'
import { handleError, handleNotFound } from './routes/errors'
import { pages } from './routes/pages'

// What the runtime binds to this Worker: the per-name Durable Objects (claims, metrics), one per
// account (its API tokens), and the
// entrypoints user Workers are wired to (their log tail and egress gate) or that run their
// scheduled() (CronRunner).
export { Account } from './accounts/account.do'
export { CronRunner } from './platform/cron-runner'
export { EgressGate } from './dispatch/egress-gate'
export { LogTail } from './logs/log-tail'
export { NameClaim } from './names/name-claim.do'
// Tenants' storage: env.KV and env.DB of user Workers, and the object per worker behind them.
export { TenantKV } from './storage/tenant-kv'
export { TenantAssets } from './assets/tenant-assets'
export { TenantCache } from './cache/tenant-cache'
export { TenantSQL } from './storage/tenant-sql'
export { TenantDatabase } from './storage/database.do'
// Tenants' Durable Objects: their bindings, and the host of each object.
export { TenantObjects } from './objects/tenant-objects'
export { TenantObject } from './platform/tenant-object'
export { WorkerMetrics } from './metrics/worker-metrics.do'
// Tenants' own hostnames: one object per hostname.
export { CustomDomain } from './domains/custom-domain.do'
// The platform-wide audit trail, for the operator.
export { AuditTrail } from './audit/audit-trail.do'

const app = new Hono<AppEnv>()

// First, so every page the platform renders gets its security headers, error pages of dispatch
// included; user Workers' own responses never do (see platformHeaders).
app.use(platformHeaders)
app.use(withPlatform)
// User Workers before the platform's routes: host-routed requests (<name>.<USER_WORKERS_DOMAIN>)
// never reach a platform route.
app.use(hostDispatch)
app.route('/', dispatch)
// The platform's own routes only: dispatch above answers first and never gets here.
app.use(limitFailedCredentials)

app.route('/assets', assets)
app.route('/api', api)
app.route(CLIENT_API_MOUNT, clientApi)
app.route('/', pages)
app.notFound(handleNotFound)
app.onError(handleError)

export default {
  fetch: app.fetch,
  // Logs of dispatch-namespace user Workers (this Worker is their tail consumer).
  tail: (events, env, ctx) => tailDispatchNamespace(events, env, ctx),
} satisfies ExportedHandler<Env>
