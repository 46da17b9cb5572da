import { Hono } from 'hono/tiny'
import type { Context, Next } from 'hono'
import type { AppEnv } from '../context'
import { PlatformError } from '../core/errors'
import { isValidName } from '../core/names'
import { MAX_REASON_CHARS } from '../operators/directory'
import { AdminAccountPage, AdminAccountsPage, type AdminAccountProps } from '../views/admin-accounts'
import { AdminSignInPage } from '../views/admin-signin'
import { AdminDeletePage, AdminWorkerPage, type AdminWorkerProps } from '../views/admin-worker'
import { AdminWorkersPage } from '../views/admin-workers'
import { adminProof, isAdminSession } from './admin-session'
import { field, readForm, requestScope } from './input'

/** The admin page's workers and accounts: every route needs a live admin session (admin-session.ts). */
export const adminConsole = new Hono<AppEnv>()

/** Where a sign-in goes back to: an admin page's path, else the admin page. */
export function nextOf(path: string | undefined): string {
  return path && /^\/admin(\/[A-Za-z0-9_-]+)*$/.test(path) ? path : '/admin'
}

/** Signed out, each page is the sign-in form (200 for /admin itself), and each change is refused unmade. */
export async function requireSession(c: Context<AppEnv>, next: Next) {
  if (await isAdminSession(c)) return next()
  const path = new URL(c.req.url).pathname
  const changing = c.req.method === 'POST'
  const error = changing ? 'Your admin session has ended: sign in again. Nothing was changed.' : undefined
  return c.html(
    <AdminSignInPage backend={c.var.platform.config.backend} next={changing ? '/admin' : nextOf(path)} error={error} />,
    path === '/admin' && !changing ? 200 : 401,
  )
}
adminConsole.use('/admin', requireSession)
adminConsole.use('/admin/workers/*', requireSession)
adminConsole.use('/admin/accounts', requireSession)
adminConsole.use('/admin/accounts/*', requireSession)

adminConsole.get('/admin', async (c) => {
  const name = c.req.query('q') ?? ''
  const tag = c.req.query('tag') ?? ''
  const list = await c.var.platform.directory.workers({ name, tag }, c.req.query('cursor'), await adminProof(c))
  const more = (cursor: string) => `/admin?${new URLSearchParams({ q: name, tag, cursor }).toString()}`
  const deleted = c.req.query('deleted')
  return c.html(
    <AdminWorkersPage
      backend={c.var.platform.config.backend}
      name={name}
      tag={tag}
      list={list}
      nextPage={list.cursor ? more(list.cursor) : undefined}
      notice={deleted && isValidName(deleted) ? `Deleted ${deleted}.` : undefined}
    />,
  )
})

const WORKER_DONE = new Map([
  ['suspend', 'Suspended: it answers 503 until it is resumed.'],
  ['resume', 'Resumed: it serves again.'],
  ['budget', 'The budget is set.'],
])

async function workerPage(
  c: Context<AppEnv>,
  name: string,
  props: Pick<AdminWorkerProps, 'notice' | 'error' | 'typed'>,
  status: 200 | PlatformError['status'] = 200,
) {
  const row = await c.var.platform.directory.worker(name, await adminProof(c))
  return c.html(<AdminWorkerPage backend={c.var.platform.config.backend} row={row} {...props} />, status)
}

adminConsole.get('/admin/workers/:name', (c) =>
  workerPage(c, c.req.param('name'), { notice: WORKER_DONE.get(c.req.query('done') ?? '') }),
)

adminConsole.post('/admin/workers/:name/:action{suspend|resume|budget}', async (c) => {
  const { name, action } = c.req.param()
  const body = await readForm(c.req)
  const typed = { reason: field(body, 'reason'), budget: field(body, 'requestsPerDay').trim() }
  const { suspensions, budgets } = c.var.platform
  const proof = await adminProof(c)
  try {
    if (action === 'suspend') await suspensions.suspend(name, reasonOf(typed.reason), proof, requestScope(c))
    else if (action === 'resume') await suspensions.resume(name, proof, requestScope(c))
    else await budgets.set(name, { requestsPerDay: budgetOf(typed.budget) }, proof, requestScope(c))
    return c.redirect(`/admin/workers/${name}?done=${action}`, 303)
  } catch (error) {
    // No such worker: the error page says so; any other refusal, the page again with what was typed.
    if (!(error instanceof PlatformError) || error.code === 'worker_not_found') throw error
    return workerPage(c, name, { error: error.message, typed }, error.status)
  }
})

adminConsole.get('/admin/workers/:name/delete', async (c) => {
  const { name } = await c.var.platform.directory.worker(c.req.param('name'), await adminProof(c))
  return c.html(<AdminDeletePage backend={c.var.platform.config.backend} name={name} />)
})

adminConsole.post('/admin/workers/:name/delete', async (c) => {
  const name = c.req.param('name')
  const typed = field(await readForm(c.req), 'confirm')
  try {
    await c.var.platform.directory.deleteWorker(name, typed, await adminProof(c), requestScope(c))
    return c.redirect(`/admin?${new URLSearchParams({ deleted: name }).toString()}`, 303)
  } catch (error) {
    if (!(error instanceof PlatformError) || error.code === 'worker_not_found') throw error
    const page = (
      <AdminDeletePage backend={c.var.platform.config.backend} name={name} typed={typed} error={error.message} />
    )
    return c.html(page, error.status)
  }
})

adminConsole.get('/admin/accounts', async (c) => {
  const page = await c.var.platform.directory.accounts(c.req.query('cursor'), await adminProof(c))
  const nextPage = page.cursor
    ? `/admin/accounts?${new URLSearchParams({ cursor: page.cursor }).toString()}`
    : undefined
  return c.html(
    <AdminAccountsPage backend={c.var.platform.config.backend} accounts={page.accounts} nextPage={nextPage} />,
  )
})

async function accountPage(
  c: Context<AppEnv>,
  accountId: string,
  props: Pick<AdminAccountProps, 'notice' | 'error' | 'reason' | 'budget'>,
  status: 200 | PlatformError['status'] = 200,
) {
  const account = await c.var.platform.directory.account(accountId, await adminProof(c))
  return c.html(<AdminAccountPage backend={c.var.platform.config.backend} account={account} {...props} />, status)
}

adminConsole.get('/admin/accounts/:accountId', (c) => {
  const done = c.req.query('done')
  const count = Number(c.req.query('workers'))
  const workers = Number.isSafeInteger(count) ? count : 0
  const notices = new Map([
    ['suspend', `Suspended, with ${workers} of its workers.`],
    ['resume', `Resumed, with ${workers} of its workers.`],
    ['budget', 'The account’s budget is set.'],
  ])
  const notice = notices.get(done ?? '')
  return accountPage(c, c.req.param('accountId'), { notice })
})

adminConsole.post('/admin/accounts/:accountId/:action{suspend|resume}', async (c) => {
  const { accountId, action } = c.req.param()
  const reason = field(await readForm(c.req), 'reason')
  const { suspensions } = c.var.platform
  const proof = await adminProof(c)
  try {
    const workers =
      action === 'suspend'
        ? await suspensions.suspendAccount(accountId, reasonOf(reason), proof, requestScope(c))
        : await suspensions.resumeAccount(accountId, proof, requestScope(c))
    const query = new URLSearchParams({ done: action, workers: String(workers.length) })
    return c.redirect(`/admin/accounts/${accountId}?${query.toString()}`, 303)
  } catch (error) {
    if (!(error instanceof PlatformError) || error.code === 'not_found') throw error
    return accountPage(c, accountId, { error: error.message, reason }, error.status)
  }
})

adminConsole.post('/admin/accounts/:accountId/budget', async (c) => {
  const { accountId } = c.req.param()
  const budget = field(await readForm(c.req), 'requestsPerDay').trim()
  try {
    await c.var.platform.accountBudgets.set(accountId, budgetOf(budget), await adminProof(c), requestScope(c))
    return c.redirect(`/admin/accounts/${accountId}?done=budget`, 303)
  } catch (error) {
    // No such account: the error page says so; any other refusal, the page again with what was typed.
    if (!(error instanceof PlatformError) || error.code === 'not_found') throw error
    return accountPage(c, accountId, { error: error.message, budget }, error.status)
  }
})

/** A suspension's reason from the form: 1 to MAX_REASON_CHARS characters, as the API takes it. */
function reasonOf(typed: string): string {
  const reason = typed.trim()
  if (reason.length === 0 || reason.length > MAX_REASON_CHARS) {
    throw new PlatformError(
      'invalid_request',
      `Give a reason of 1 to ${MAX_REASON_CHARS} characters: the owner sees it. Nothing was changed.`,
    )
  }
  return reason
}

/** The budget field: a whole number (0: no limit), or empty for the platform's default (null). */
function budgetOf(typed: string): number | null {
  if (typed === '') return null
  if (!/^\d{1,15}$/.test(typed)) {
    throw new PlatformError(
      'invalid_request',
      'The budget must be a whole number of requests a day (0: no limit), or empty for the default. Nothing was changed.',
    )
  }
  return Number(typed)
}
