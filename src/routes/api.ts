import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { limitUploadBody } from '../middleware/platform'
import { bundleFromScript } from '../platform/bundle'
import { assertValidName } from '../platform/names'
import type { WorkerRecord } from '../platform/registry'
import { listPage } from './list'
import { readApiScript } from './input'
import { workerUrl } from './urls'

/** JSON API under /api. Errors are `{ "error": { "code", "message" } }` (see app.onError). */
export const api = new Hono<AppEnv>()

api.get('/workers', async (c) => {
  const page = await listPage(c.var.platform, c.req.query('cursor'))
  return c.json({
    workers: page.workers.map((worker) => ({ ...worker, url: workerUrl(c.req.url, worker.name) })),
    cursor: page.cursor ?? null,
  })
})

api.get('/workers/:name', async (c) => {
  const record = await c.var.platform.get(c.req.param('name'))
  return c.json(describe(record, c.req.url))
})

api.put('/workers/:name', limitUploadBody, async (c) => {
  const platform = c.var.platform
  // Validate the name before reading a possibly large body.
  const name = assertValidName(c.req.param('name'))
  const bundle = bundleFromScript(await readApiScript(c.req), platform.config.maxScriptBytes)
  const { record, created } = await platform.deploy(name, bundle, (promise) => c.executionCtx.waitUntil(promise))
  return c.json(describe(record, c.req.url), created ? 201 : 200)
})

api.delete('/workers/:name', async (c) => {
  const record = await c.var.platform.remove(c.req.param('name'))
  return c.json({ name: record.name, deleted: true })
})

function describe(record: WorkerRecord, requestUrl: string) {
  return {
    name: record.name,
    workerId: record.workerId,
    url: workerUrl(requestUrl, record.name),
    backend: record.backend,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    size: record.size,
    sha256: record.sha256,
  }
}
