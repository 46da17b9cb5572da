import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { limitUploadBody } from '../middleware/platform'
import { enforceUploadRate } from '../middleware/security'
import { bundleFromScript } from '../platform/bundle'
import { assertValidName } from '../platform/names'
import type { WorkerRecord } from '../platform/registry'
import { listPage } from './list'
import { bearerToken, readApiScript } from './input'
import { workerUrl } from './urls'

/** JSON API under /api. Errors are `{ "error": { "code", "message" } }` (see routes/errors). */
export const api = new Hono<AppEnv>()

api.get('/workers', async (c) => {
  const { config } = c.var.platform
  const page = await listPage(c.var.platform, c.req.query('cursor'))
  return c.json({
    workers: page.workers.map((worker) => ({ ...worker, url: workerUrl(c.req.url, worker.name, config) })),
    cursor: page.cursor ?? null,
  })
})

api.get('/workers/:name', async (c) => {
  const record = await c.var.platform.get(c.req.param('name'))
  return c.json(describe(record, c.req.url, c.var.platform.config))
})

api.put('/workers/:name', limitUploadBody, async (c) => {
  const platform = c.var.platform
  // Validate the name and the budget before reading a possibly large body.
  const name = assertValidName(c.req.param('name'))
  await enforceUploadRate(c)
  const bundle = bundleFromScript(await readApiScript(c.req), platform.config.maxScriptBytes)
  const result = await platform.deploy(name, bundle, bearerToken(c.req), (promise) => c.executionCtx.waitUntil(promise))
  const body = describe(result.record, c.req.url, platform.config)
  // The deploy token is returned once, to the upload that claimed the name; only its hash is kept.
  return result.token ? c.json({ ...body, token: result.token }, 201) : c.json(body, result.created ? 201 : 200)
})

api.delete('/workers/:name', async (c) => {
  const record = await c.var.platform.remove(c.req.param('name'), bearerToken(c.req))
  return c.json({ name: record.name, deleted: true })
})

function describe(record: WorkerRecord, requestUrl: string, config: AppEnv['Variables']['platform']['config']) {
  return {
    name: record.name,
    workerId: record.workerId,
    url: workerUrl(requestUrl, record.name, config),
    backend: record.backend,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    size: record.size,
    sha256: record.sha256,
  }
}
