import { Hono } from 'hono/tiny'
import { ENHANCEMENTS } from '../views/enhance'
import { STYLESHEET } from '../views/styles'
import type { AppEnv } from '../context'

/** The platform's own stylesheet and script (no CDN: the CSP allows only 'self'). */
export const assets = new Hono<AppEnv>()

assets.get('/app.css', (c) => c.body(STYLESHEET, 200, headers('text/css')))
assets.get('/app.js', (c) => c.body(ENHANCEMENTS, 200, headers('text/javascript')))

function headers(type: string) {
  return { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'public, max-age=3600' }
}
