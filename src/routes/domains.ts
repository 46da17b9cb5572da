import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import { bearerToken, requestScope } from './input'
import { domainBody } from './bodies'
import { jsonBody } from './validate'

/**
 * A worker's custom domains under /api (docs/custom-domains.md), for its owner: its deploy token,
 * an API token of its account, or an admin token. Reads answer from the platform's own objects,
 * never from Cloudflare (their alarms keep the status current).
 */
export const domainsApi = new Hono<AppEnv>()

domainsApi.get('/workers/:name/domains', async (c) => {
  const domains = await c.var.platform.domains.list(c.req.param('name'), bearerToken(c.req))
  c.header('Cache-Control', 'no-store')
  // Where tenants point a CNAME (with a SaaS zone): the same for every hostname.
  return c.json({ domains, cnameTarget: c.var.platform.config.domains.cnameTarget ?? null })
})

domainsApi.post('/workers/:name/domains', jsonBody(domainBody), async (c) => {
  const { hostname } = c.req.valid('json')
  const host = new URL(c.req.url).hostname
  const domain = await c.var.platform.domains.add(
    c.req.param('name'),
    hostname,
    bearerToken(c.req),
    host,
    requestScope(c),
  )
  return c.json(domain, 201)
})

// "Check now": after creating the records, rather than waiting for the next scheduled check.
domainsApi.post('/workers/:name/domains/:hostname/check', async (c) => {
  const { name, hostname } = c.req.param()
  return c.json(await c.var.platform.domains.check(name, hostname, bearerToken(c.req)))
})

domainsApi.delete('/workers/:name/domains/:hostname', async (c) => {
  const { name, hostname } = c.req.param()
  await c.var.platform.domains.remove(name, hostname, bearerToken(c.req), requestScope(c))
  return c.json({ hostname, removed: true })
})
