import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { SESSION_TTL_MS } from '../accounts/accounts'
import type { AppEnv } from '../context'
import { platformSetCookie, SESSION_COOKIE } from '../core/cookies'
import { PlatformError } from '../core/errors'
import { parseInput } from '../core/schema'
import { limitActionBody } from '../middleware/platform'
import { enforceUploadRate } from '../middleware/security'
import { AccountPage, SignUpPage, type AccountPageProps } from '../views/account'
import { newAccountBody, newTokenBody } from './bodies'
import { field, readForm, requestScope } from './input'
import { sessionOf } from './session'

/**
 * The account in the console (docs/accounts.md): sign up, and the signed-in account's page, where
 * API tokens are issued (shown once) and revoked. Mounted under the pages, so `sameOriginPosts`
 * refuses cross-site posts; the forms act with the session, never with a typed token.
 */
export const accountPages = new Hono<AppEnv>()

accountPages.get('/signup', (c) => c.html(<SignUpPage backend={c.var.platform.config.backend} />))

accountPages.post('/signup', limitActionBody, async (c) => {
  const { accounts, config } = c.var.platform
  const typed = field(await readForm(c.req), 'name')
  try {
    // Sign-ups cost storage: the same per-client budget as uploads (and POST /api/accounts).
    await enforceUploadRate(c)
    const { account, token } = await accounts.create(parseInput(newAccountBody, { name: typed }).name, requestScope(c))
    // Signed in at once, with the token this page shows; the cookie holds a session, never the token.
    const { value } = await accounts.signIn(token.value)
    c.header('Set-Cookie', platformSetCookie(SESSION_COOKIE, value, c.req.url, SESSION_TTL_MS / 1000))
    c.header('Cache-Control', 'no-store')
    const signedIn = { label: account.name, account: true }
    return c.html(<AccountPage backend={config.backend} account={account} signedIn={signedIn} issued={token} />, 201)
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error
    return c.html(
      <SignUpPage backend={config.backend} error={error.message} typed={typed} />,
      error.status,
      error.headers,
    )
  }
})

accountPages.get('/account', async (c) => {
  const signed = await sessionOf(c)
  // Signed out (or the session's token was just revoked): the sign-in page.
  if (!signed) return c.redirect('/signin', 303)
  const revoked = c.req.query('revoked')
  return renderAccount(c, { revoked })
})

accountPages.post('/account/tokens', limitActionBody, async (c) => {
  const typed = field(await readForm(c.req), 'name')
  const { accountId } = await signedAccount(c)
  try {
    const name = parseInput(newTokenBody, { name: typed }).name
    const issued = await c.var.platform.accounts.issueToken(accountId, name, requestScope(c))
    return await renderAccount(c, { issued }, 201)
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error
    return renderAccount(c, { error: error.message, typed }, error.status)
  }
})

accountPages.post('/account/tokens/:id/revoke', limitActionBody, async (c) => {
  const { accountId } = await signedAccount(c)
  const tokenId = c.req.param('id')
  await c.var.platform.workers.revokeApiToken(accountId, tokenId, requestScope(c))
  return c.redirect(`/account?revoked=${encodeURIComponent(tokenId)}`, 303)
})

/** The session's account, or a refusal: signed out (401), or signed in with a deploy token (403). */
async function signedAccount(c: Context<AppEnv>): Promise<{ accountId: string; label: string }> {
  const signed = await sessionOf(c)
  if (!signed) throw new PlatformError('unauthorized', 'Sign in with an API token of the account first.')
  if (!signed.accountId) {
    throw new PlatformError(
      'forbidden',
      'Signed in with a deploy token, which reaches its one worker: sign out, then sign in with an API token to manage the account.',
    )
  }
  return { accountId: signed.accountId, label: signed.label }
}

async function renderAccount(
  c: Context<AppEnv>,
  extras: Partial<Pick<AccountPageProps, 'issued' | 'revoked' | 'error' | 'typed'>>,
  status: ContentfulStatusCode = 200,
) {
  const { accountId, label } = await signedAccount(c)
  const account = await c.var.platform.accounts.view(accountId)
  // Only a token of this account is named in the notice (the query is the client's).
  const revoked = account.tokens.some((token) => token.id === extras.revoked) ? extras.revoked : undefined
  c.header('Cache-Control', 'no-store')
  return c.html(
    <AccountPage
      {...extras}
      revoked={revoked}
      backend={c.var.platform.config.backend}
      account={account}
      signedIn={{ label, account: true }}
    />,
    status,
  )
}
