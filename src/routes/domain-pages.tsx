import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import { field, formToken, readForm, requestScope } from './input'
import { proofOf } from './session'
import { renderWorkerPage, workerPageWithError } from './worker-page'

/**
 * The worker page's custom-domain forms (views/worker-domains.tsx): add a hostname, or with none
 * just show the list; check one now; remove one. Each answers with the worker page, the list shown.
 */
export const domainPages = new Hono<AppEnv>()

domainPages.post('/workers/:name/domains/:action{remove|check}?', async (c) => {
  const { domains, workers } = c.var.platform
  const name = c.req.param('name')
  const action = c.req.param('action')
  const body = await readForm(c.req)
  const hostname = field(body, 'hostname')?.trim() ?? ''
  try {
    const proof = await proofOf(c, name, formToken(body))
    if (action === 'remove') await domains.remove(name, hostname, proof, requestScope(c))
    else if (action === 'check') await domains.check(name, hostname, proof)
    else if (hostname !== '') await domains.add(name, hostname, proof, new URL(c.req.url).hostname, requestScope(c))
    c.header('Cache-Control', 'no-store')
    return renderWorkerPage(c, await workers.get(name), { domains: await domains.list(name, proof) })
  } catch (error) {
    return workerPageWithError(c, name, error, 'domains', action ? {} : { domainInput: hostname })
  }
})
