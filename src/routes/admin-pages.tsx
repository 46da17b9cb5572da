import { Hono } from 'hono/tiny'
import type { Context } from 'hono'
import type { AppEnv } from '../context'
import { CredentialError, PlatformError } from '../core/errors'
import { AdminTagsPage, type AdminTagsProps } from '../views/admin-tags'
import { AdminSignInPage } from '../views/admin-signin'
import { field, formToken, readForm, requestScope } from './input'
import { limitActionBody } from '../middleware/platform'
import { adminConsole, nextOf } from './admin-console'
import { adminProof, adminSetCookie, isAdminSession } from './admin-session'

/**
 * The operator's pages (docs/operators.md#admin-page): sign in with ADMIN_TOKEN once, then the
 * workers and accounts (admin-console.tsx) and delete by tag, which also takes the token typed into
 * its forms when no admin session is open. Mounted under the pages, after `sameOriginPosts`.
 */
export const adminPages = new Hono<AppEnv>()

// A few fields each, capped before they are read.
adminPages.post('/admin/*', limitActionBody)
// What the operator sees is never kept by a cache.
adminPages.use('/admin', noStore)
adminPages.use('/admin/*', noStore)

async function noStore(c: Context<AppEnv>, next: () => Promise<void>) {
  await next()
  c.header('Cache-Control', 'no-store')
}

adminPages.post('/admin/signin', async (c) => {
  const body = await readForm(c.req)
  const next = nextOf(field(body, 'next'))
  try {
    const { value } = await c.var.platform.adminSessions.signIn(formToken(body))
    c.header('Set-Cookie', adminSetCookie(c, value))
    return c.redirect(next, 303)
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error
    // A wrong admin token counts against the client's budget (limitFailedCredentials) like any other.
    if (error instanceof CredentialError) c.error = error
    return c.html(
      <AdminSignInPage backend={c.var.platform.config.backend} next={next} error={error.message} />,
      error.status,
    )
  }
})

adminPages.post('/admin/signout', (c) => {
  c.header('Set-Cookie', adminSetCookie(c, ''))
  return c.redirect('/admin', 303)
})

adminPages.route('/', adminConsole)

const tagsPage = async (
  c: Context<AppEnv>,
  props: Omit<AdminTagsProps, 'backend' | 'signedIn'>,
  status: 200 | 401 | 403 | 409 = 200,
) =>
  c.html(
    <AdminTagsPage backend={c.var.platform.config.backend} signedIn={await isAdminSession(c)} {...props} />,
    status,
  )

adminPages.get('/admin/tags', (c) => tagsPage(c, { tag: c.req.query('tag') ?? '' }))

adminPages.post('/admin/tags/:step{delete}?', async (c) => {
  const body = await readForm(c.req)
  const tag = field(body, 'tag').trim()
  const { tagDeletes } = c.var.platform
  try {
    const proof = await adminProof(c, formToken(body))
    if (c.req.param('step') === 'delete') {
      const result = await tagDeletes.delete(tag, Number(field(body, 'count')), proof, requestScope(c))
      return await tagsPage(c, { tag, result })
    }
    return await tagsPage(c, { tag, found: await tagDeletes.tagged(tag, proof) })
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error
    if (error instanceof CredentialError) c.error = error
    const status = error.status === 401 || error.status === 403 || error.status === 409 ? error.status : 200
    return tagsPage(c, { tag, error: error.message }, status)
  }
})
