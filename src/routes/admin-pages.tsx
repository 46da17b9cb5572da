import { Hono } from 'hono/tiny'
import type { Context } from 'hono'
import type { AppEnv } from '../context'
import { CredentialError, PlatformError } from '../core/errors'
import { AdminTagsPage, type AdminTagsProps } from '../views/admin-tags'
import { field, formToken, readForm } from './input'
import { limitActionBody } from '../middleware/platform'

/** The operator's pages (docs/operators.md): delete by tag. The admin token is typed into each form, never kept. */
export const adminPages = new Hono<AppEnv>()

// A few fields each, capped before they are read.
adminPages.post('/admin/*', limitActionBody)

const page = (c: Context<AppEnv>, props: Omit<AdminTagsProps, 'backend'>, status: 200 | 401 | 403 | 409 = 200) => {
  c.header('Cache-Control', 'no-store')
  return c.html(<AdminTagsPage backend={c.var.platform.config.backend} {...props} />, status)
}

adminPages.get('/admin/tags', (c) => page(c, { tag: c.req.query('tag') ?? '' }))

adminPages.post('/admin/tags/:step{delete}?', async (c) => {
  const body = await readForm(c.req)
  const tag = field(body, 'tag').trim()
  const { tagDeletes } = c.var.platform
  try {
    if (c.req.param('step') === 'delete') {
      const result = await tagDeletes.delete(tag, Number(field(body, 'count')), formToken(body))
      return page(c, { tag, result })
    }
    return page(c, { tag, found: await tagDeletes.tagged(tag, formToken(body)) })
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error
    if (error instanceof CredentialError) c.error = error
    const status = error.status === 401 || error.status === 403 || error.status === 409 ? error.status : 200
    return page(c, { tag, error: error.message }, status)
  }
})
