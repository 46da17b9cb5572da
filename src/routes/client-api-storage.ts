import { Hono } from 'hono/tiny'
import * as v from 'valibot'
import type { AppEnv } from '../context'
import { succeeded } from '../client-api/envelope'
import { PlatformError } from '../core/errors'
import { randomBytes } from '../lib/crypto'
import { toHex } from '../lib/encoding'
import { limitActionBody } from '../middleware/platform'
import { MAX_STORE_ID_LENGTH, storeIdOf } from '../storage/refs'
import { jsonBody } from './validate'

/**
 * What wrangler calls to provision a project's KV namespace or D1 database declared without an id
 * (its automatic provisioning, on by default). Here stores are no account's resources: each belongs
 * to the worker that binds it, named by the id its binding gives (storage/refs.ts), and is made at
 * first use. So these create and reveal nothing — the account has no stores to list; a new KV
 * namespace is a fresh id; a D1 database is known by its name, which becomes its id, so a
 * `database_name` names the same store as the platform's builder makes of it — and need no token.
 */
export const clientApiStorage = new Hono<AppEnv>()

const ACCOUNT = '/accounts/:account'
const D1_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/
const EMPTY_PAGE = { page: 1, per_page: 100, count: 0, total_count: 0 }

const kvNamespaceBody = v.looseObject({
  title: v.pipe(v.string('"title" must be a string.'), v.minLength(1), v.maxLength(512)),
})
const d1DatabaseBody = v.looseObject({ name: v.pipe(v.string('"name" must be a string.'), v.minLength(1)) })

clientApiStorage.get(`${ACCOUNT}/storage/kv/namespaces`, (c) => c.json({ ...succeeded([]), result_info: EMPTY_PAGE }))

clientApiStorage.post(`${ACCOUNT}/storage/kv/namespaces`, limitActionBody, jsonBody(kvNamespaceBody), (c) => {
  const { title } = c.req.valid('json')
  return c.json(succeeded({ id: toHex(randomBytes(16)), title, supports_url_encoding: true }))
})

clientApiStorage.get(`${ACCOUNT}/d1/database`, (c) => c.json({ ...succeeded([]), result_info: EMPTY_PAGE }))

clientApiStorage.get(`${ACCOUNT}/d1/database/:database`, (c) => c.json(succeeded(database(c.req.param('database')))))

clientApiStorage.post(`${ACCOUNT}/d1/database`, limitActionBody, jsonBody(d1DatabaseBody), (c) =>
  c.json(succeeded(database(c.req.valid('json').name))),
)

/** A database as the D1 API describes one: its name is its id (a store of the worker that binds it). */
function database(name: string) {
  // Cloudflare's rule for a D1 name, and a store ID's length (storage/refs.ts).
  if (!D1_NAME.test(name) || storeIdOf(name) === undefined) {
    throw new PlatformError(
      'invalid_request',
      `A D1 database name is letters, digits, "_" and "-" (starting with a letter or digit), at most ${MAX_STORE_ID_LENGTH} characters: "${name.slice(0, 80)}" is not one.`,
    )
  }
  return { uuid: name, name, version: 'production', num_tables: 0, file_size: 0 }
}
