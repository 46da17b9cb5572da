import { Hono } from 'hono'
import type { AppEnv } from './env'
import { withPlatform } from './middleware/platform'
import { api } from './routes/api'
import { dispatch } from './routes/dispatch'
import { handleError, handleNotFound } from './routes/errors'
import { pages } from './routes/pages'
import { STYLESHEET } from './views/styles'

const app = new Hono<AppEnv>()

app.get('/assets/app.css', (c) =>
  c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }),
)
app.use(withPlatform)
app.route('/', dispatch)
app.route('/api', api)
app.route('/', pages)
app.notFound(handleNotFound)
app.onError(handleError)

export default app
