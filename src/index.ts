import { Hono } from 'hono'
import type { AppEnv } from './env'
import { withPlatform } from './middleware/platform'
import { platformHeaders } from './middleware/security'
import { api } from './routes/api'
import { dispatch, hostDispatch } from './routes/dispatch'
import { handleError, handleNotFound } from './routes/errors'
import { pages } from './routes/pages'
import { ENHANCEMENTS } from './views/enhance'
import { STYLESHEET } from './views/styles'

import { tailDispatchNamespace } from './platform/logs'

export { NameClaim } from './platform/claims'
export { LogTail } from './platform/logs'
export { EgressGate } from './platform/egress'

const app = new Hono<AppEnv>()

app.use(withPlatform)
// User Workers first: their responses never get the platform's headers, and host-routed
// requests (<name>.<USER_WORKERS_DOMAIN>) never reach a platform route.
app.use(hostDispatch)
app.route('/', dispatch)

app.use(platformHeaders)
app.get('/assets/app.css', (c) => c.body(STYLESHEET, 200, asset('text/css')))
app.get('/assets/app.js', (c) => c.body(ENHANCEMENTS, 200, asset('text/javascript')))
app.route('/api', api)
app.route('/', pages)
app.notFound(handleNotFound)
app.onError(handleError)

function asset(type: string) {
  return { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'public, max-age=3600' }
}

export default {
  fetch: app.fetch,
  // Logs of dispatch-namespace user Workers (this Worker is their tail consumer).
  tail: (events: TraceItem[], env: AppEnv['Bindings']) => tailDispatchNamespace(events, env),
} satisfies ExportedHandler<AppEnv['Bindings']>
