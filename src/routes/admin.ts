import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import { bearerToken, requestScope } from './input'
import { accountBudgetBody, budgetBody, confirmBody, suspendBody } from './bodies'
import { jsonBody } from './validate'

/** The platform operator's API under /api/admin (ADMIN_TOKEN as a Bearer token): docs/operators.md. */
export const adminApi = new Hono<AppEnv>()

adminApi.post('/admin/workers/:name/suspend', jsonBody(suspendBody), async (c) => {
  const { reason } = c.req.valid('json')
  const record = await c.var.platform.suspensions.suspend(
    c.req.param('name'),
    reason,
    bearerToken(c.req),
    requestScope(c),
  )
  return c.json({ name: record.name, suspended: record.suspended })
})

adminApi.post('/admin/accounts/:accountId/suspend', jsonBody(suspendBody), async (c) => {
  const { reason } = c.req.valid('json')
  const { accountId } = c.req.param()
  const workers = await c.var.platform.suspensions.suspendAccount(
    accountId,
    reason,
    bearerToken(c.req),
    requestScope(c),
  )
  return c.json({ accountId, suspended: true, workers })
})

adminApi.post('/admin/accounts/:accountId/resume', async (c) => {
  const { accountId } = c.req.param()
  const workers = await c.var.platform.suspensions.resumeAccount(accountId, bearerToken(c.req), requestScope(c))
  return c.json({ accountId, suspended: false, workers })
})

// Delete by tag: GET lists the workers it would delete; POST deletes them, given their count.
adminApi.get('/admin/tags/:tag', async (c) => {
  const tag = c.req.param('tag')
  return c.json({ tag, workers: await c.var.platform.tagDeletes.tagged(tag, bearerToken(c.req)) })
})

adminApi.post('/admin/tags/:tag/delete', jsonBody(confirmBody), async (c) => {
  const tag = c.req.param('tag')
  const { confirm } = c.req.valid('json')
  return c.json({ tag, ...(await c.var.platform.tagDeletes.delete(tag, confirm, bearerToken(c.req), requestScope(c))) })
})

adminApi.post('/admin/workers/:name/budget', jsonBody(budgetBody), async (c) => {
  const name = c.req.param('name')
  const record = await c.var.platform.budgets.set(name, c.req.valid('json'), bearerToken(c.req), requestScope(c))
  return c.json({ name: record.name, budget: record.budget ?? null })
})

adminApi.post('/admin/accounts/:accountId/budget', jsonBody(accountBudgetBody), async (c) => {
  const { accountId } = c.req.param()
  const { requestsPerDay } = c.req.valid('json')
  await c.var.platform.accountBudgets.set(accountId, requestsPerDay, bearerToken(c.req), requestScope(c))
  return c.json({ accountId, budget: requestsPerDay === null ? null : { requestsPerDay } })
})

adminApi.post('/admin/workers/:name/resume', async (c) => {
  const record = await c.var.platform.suspensions.resume(c.req.param('name'), bearerToken(c.req), requestScope(c))
  return c.json({ name: record.name, suspended: null })
})
