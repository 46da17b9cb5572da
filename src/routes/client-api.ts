import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import { failed, NOT_IN_NAMESPACE, succeeded } from '../client-api/envelope'
import { readScriptUpload } from '../client-api/script-upload'
import { PlatformError } from '../core/errors'
import type { WorkerRecord } from '../core/model'
import { assertDeployableName } from '../core/names'
import { currentDeployment } from '../deploy/deployments'
import { limitUploadBody } from '../middleware/platform'
import { enforceUploadRate } from '../middleware/security'
import type { Platform } from '../platform/platform'
import { bearerToken } from './input'

/**
 * The part of the Cloudflare API the platform serves under /client/v4, so that `wrangler deploy
 * --dispatch-namespace <any>` and the `cloudflare` SDK deploy to it (docs/wrangler.md). Every answer
 * is Cloudflare's envelope, errors included (routes/errors.tsx renders them). Whatever account and
 * namespace the path names, the platform's own are meant: a worker is known by its name.
 */
export const clientApi = new Hono<AppEnv>()

const NAMESPACED = '/accounts/:account/workers/dispatch/namespaces/:namespace/scripts/:name'
const SCRIPT = '/accounts/:account/workers/scripts/:name'

// wrangler's first call: whether the script exists (10092 means a new one), and its migration tag
// (none: the platform replays a project's migrations from the first, so wrangler sends them all).
clientApi.get(NAMESPACED, async (c) => {
  const record = await find(c.var.platform, c.req.param('name'))
  if (!record)
    return c.json(failed(NOT_IN_NAMESPACE, `There is no worker "${c.req.param('name')}" on this platform.`), 404)
  return c.json(succeeded({ script: scriptOf(record) }))
})

// The upload: one deployment, as through the platform's own API (history, rollback, previews).
clientApi.put(NAMESPACED, limitUploadBody, async (c) => {
  const platform = c.var.platform
  const name = assertDeployableName(c.req.param('name'), platform.config.reservedNames)
  await enforceUploadRate(c)
  const upload = await readScriptUpload(await formOf(c.req.raw))
  const { bundle, compatibility, declared, settings } = upload
  const release = { bundle, declared, ...(compatibility ? { compatibility } : {}) }
  const result = await platform.deploys.releaseDeclared(
    name,
    release,
    { token: bearerToken(c.req), settings },
    c.executionCtx,
  )
  return c.json(succeeded(scriptOf(result.record)), result.created ? 201 : 200)
})

// Asked before an upload; a worker's secrets by name (values are never read back).
clientApi.get(`${SCRIPT}/secrets`, async (c) => {
  const record = await existing(c.var.platform, c.req.param('name'))
  const settings = c.var.platform.settingsOf(currentDeployment(record))
  return c.json(succeeded(settings.secretNames.map((name) => ({ name, type: 'secret_text' }))))
})

clientApi.get(`${SCRIPT}/settings`, async (c) => {
  const record = await existing(c.var.platform, c.req.param('name'))
  const deployment = currentDeployment(record)
  const compatibility = deployment?.compatibility
  return c.json(
    succeeded({
      bindings: [],
      compatibility_date: compatibility?.date,
      compatibility_flags: compatibility?.flags ?? [],
      logpush: false,
      tail_consumers: [],
      tags: [],
    }),
  )
})

// Anything else under /client/v4 is an envelope too, never the platform's HTML 404 page.
clientApi.all('*', (c) => {
  throw new PlatformError('not_found', `This platform does not serve ${c.req.method} ${new URL(c.req.url).pathname}.`)
})

async function find(platform: Platform, name: string): Promise<WorkerRecord | null> {
  try {
    return await platform.workers.get(name)
  } catch (error) {
    if (error instanceof PlatformError && (error.code === 'worker_not_found' || error.code === 'invalid_name'))
      return null
    throw error
  }
}

async function existing(platform: Platform, name: string): Promise<WorkerRecord> {
  return platform.workers.get(name)
}

/** A worker as the API describes a script: its name is its id, its serving deployment its etag. */
function scriptOf(record: WorkerRecord) {
  const deployment = currentDeployment(record)
  return {
    id: record.name,
    tag: record.workerId,
    etag: deployment?.sha256 ?? record.workerId,
    created_on: record.deployments.at(-1)?.createdAt ?? deployment?.createdAt,
    modified_on: deployment?.createdAt,
    deployment_id: record.workerId,
    handlers: ['fetch'],
    usage_model: 'standard',
    has_assets: false,
    has_modules: true,
  }
}

async function formOf(request: Request): Promise<FormData> {
  try {
    return await request.formData()
  } catch {
    throw new PlatformError('invalid_request', 'The upload is not multipart/form-data.')
  }
}
