import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import { looksLikeApiToken } from '../accounts/tokens'
import { usageCsv, type UsageRow } from '../metrics/usage'
import { bearerToken } from './input'

/**
 * Usage a bill can be made from (docs/metrics.md#usage), as JSON or, with `?format=csv`, CSV: a
 * worker's for its owner; with an API token, its account's workers; with ADMIN_TOKEN, every worker,
 * a page of the list at a time (`?cursor=`, the next one in `cursor` or the `X-Next-Cursor` header),
 * or those with a tag (`?tag=`).
 */
export const usageApi = new Hono<AppEnv>()

usageApi.get('/workers/:name/usage', async (c) =>
  answer(c, await c.var.platform.usage.ofWorker(c.req.param('name'), bearerToken(c.req))),
)

usageApi.get('/usage', async (c) => {
  const { usage } = c.var.platform
  const token = bearerToken(c.req)
  if (token && looksLikeApiToken(token)) return answer(c, await usage.ofAccount(token))
  const tag = c.req.query('tag')?.trim()
  if (tag) return answer(c, await usage.ofTag(tag, token))
  const page = await usage.ofAll(token, c.req.query('cursor') || undefined)
  return answer(c, page.rows, page.cursor)
})

function answer(c: Context<AppEnv>, rows: UsageRow[], cursor?: string) {
  c.header('Cache-Control', 'no-store')
  if (cursor) c.header('X-Next-Cursor', cursor)
  if (c.req.query('format') === 'csv') {
    c.header('Content-Type', 'text/csv; charset=utf-8')
    return c.body(usageCsv(rows))
  }
  return c.json({ usage: rows, cursor: cursor ?? null })
}
