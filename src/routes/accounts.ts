import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import { enforceUploadRate } from '../middleware/security'
import { bearerToken } from './input'
import { moveBody, newAccountBody, newTokenBody } from './bodies'
import { jsonBody } from './validate'

/**
 * Accounts and API tokens under /api (docs/accounts.md). An API token is given as
 * `Authorization: Bearer at_…`; its value is returned once, when it is created.
 */
export const accounts = new Hono<AppEnv>()

accounts.post('/accounts', jsonBody(newAccountBody), async (c) => {
  // Sign-ups cost storage: the same per-client budget as uploads.
  await enforceUploadRate(c)
  const { account, token } = await c.var.platform.accounts.create(c.req.valid('json').name)
  return c.json({ account, token }, 201)
})

accounts.get('/account', async (c) => {
  const { accounts } = c.var.platform
  return c.json(await accounts.view(await accounts.require(bearerToken(c.req))))
})

accounts.post('/account/tokens', jsonBody(newTokenBody), async (c) => {
  const { accounts } = c.var.platform
  const accountId = await accounts.require(bearerToken(c.req))
  return c.json(await accounts.issueToken(accountId, c.req.valid('json').name), 201)
})

accounts.delete('/account/tokens/:id', async (c) => {
  const { accounts, workers } = c.var.platform
  const tokenId = c.req.param('id')
  await workers.revokeApiToken(await accounts.require(bearerToken(c.req)), tokenId)
  return c.json({ revoked: tokenId })
})

// A worker's new deploy token: the old one (or the account's API token, or admin) in Authorization.
accounts.post('/workers/:name/token', async (c) => {
  const token = await c.var.platform.workers.rotateToken(c.req.param('name'), bearerToken(c.req))
  return c.json({ name: c.req.param('name'), token })
})

// Moving an existing worker in: the account's API token in the header, the worker's proof in the body.
accounts.post('/workers/:name/account', jsonBody(moveBody), async (c) => {
  const name = c.req.param('name')
  const proof = c.req.valid('json').token
  const accountId = await c.var.platform.workers.moveToAccount(name, proof, bearerToken(c.req), c.executionCtx)
  return c.json({ name, accountId })
})

// Who rotated the deploy token, moved the worker or revoked its account's tokens: the owner's record.
accounts.get('/workers/:name/history', async (c) => {
  const events = await c.var.platform.workers.ownerEvents(c.req.param('name'), bearerToken(c.req))
  c.header('Cache-Control', 'no-store')
  return c.json({ name: c.req.param('name'), events })
})
