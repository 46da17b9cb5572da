import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'

/**
 * The platform's own stylesheet and script, from public/assets/ (wrangler.jsonc "assets"): files
 * Cloudflare serves with content types and ETags, outside the Worker's bundle. No CDN: the CSP
 * allows only 'self'.
 */
export const assets = new Hono<AppEnv>()

assets.get('/*', async (c) => {
  // A copy: the security-headers middleware adds its headers, and a fetched response's are immutable.
  const file = await c.env.ASSETS.fetch(c.req.raw)
  return new Response(file.body, file)
})
