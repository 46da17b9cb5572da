import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import {
  CLIENT_API_MOUNT,
  failed,
  INVALID_TOKEN,
  NOT_IN_NAMESPACE,
  succeeded,
  UNAUTHORIZED_ACCESS,
} from '../client-api/envelope'
import { readScriptUpload } from '../client-api/script-upload'
import { parseManifest } from '../client-api/asset-uploads'
import { PlatformError } from '../core/errors'
import type { BuildSummary, BundleModule, DeploymentAssets, WorkerBundle, WorkerRecord } from '../core/model'
import { toApiPart } from '../backends/modules'
import { assertDeployableName } from '../core/names'
import { currentDeployment } from '../deploy/deployments'
import { limitActionBody, limitUploadBody } from '../middleware/platform'
import { enforceUploadRate } from '../middleware/security'
import type { Platform } from '../platform/platform'
import type { Context } from 'hono'
import { schedulesBody, secretBody, secretsBulkBody } from './bodies'
import { bindingsOf } from '../client-api/script-bindings'
import { clientApiStorage } from './client-api-storage'
import { tailBody } from '../logs/tail-filters'
import { bearerToken, requestScope } from './input'
import { jsonBody } from './validate'

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
  // Bindings sent as `inherit` keep what the worker has now (read only then).
  const upload = await readScriptUpload(await formOf(c.req.raw), async () => {
    const record = await find(platform, name)
    return record ? bindingsOf(platform.settingsOf(currentDeployment(record))) : []
  })
  const { bundle, compatibility, declared, settings } = upload
  const assets = upload.assets && (await platform.assetUploads.assets(upload.assets.jwt, name, upload.assets.config))
  const release = {
    bundle,
    declared,
    ...(compatibility ? { compatibility } : {}),
    ...(assets ? { assets } : {}),
    build: uploadSummary(bundle, assets),
  }
  const result = await platform.deploys.releaseDeclared(
    name,
    release,
    { token: bearerToken(c.req), settings },
    requestScope(c),
  )
  // 200 for a new script too: the only status Cloudflare's API documents for the upload. The startup
  // time is the upload check's (none ran for a static site: nothing starts).
  return c.json(succeeded({ ...scriptOf(result.record), startup_time_ms: result.startupMs ?? 0 }))
})

// Deleting the script deletes the worker and everything it keeps (as DELETE /api/workers/:name).
for (const path of [SCRIPT, NAMESPACED]) {
  clientApi.delete(path, async (c) => {
    await c.var.platform.workers.remove(scriptName(c), bearerToken(c.req), requestScope(c))
    return c.json(succeeded(null))
  })

  // The code as uploaded, for its owner (or anyone, when the owner made it public): the modules as parts.
  clientApi.get(`${path}/content`, async (c) => {
    const code = await c.var.platform.workers.currentCode(scriptName(c), bearerToken(c.req))
    if (!code) throw new PlatformError('worker_not_found', `There is no worker "${scriptName(c)}" on this platform.`)
    const form = new FormData()
    for (const module of code.modules) form.set(module.name, moduleFile(module))
    return new Response(form, { headers: { 'CF-Entrypoint': code.mainModule } })
  })
}

// wrangler's assets upload: a session for the manifest, then the files under its token (asset-uploads.ts).
for (const path of [SCRIPT, NAMESPACED]) {
  clientApi.post(`${path}/assets-upload-session`, limitActionBody, async (c) => {
    // Staging costs storage: counted as an upload, and only with a token (the deploy checks whose).
    await enforceUploadRate(c)
    if (!bearerToken(c.req))
      throw new PlatformError('unauthorized', 'Give a token (CLOUDFLARE_API_TOKEN) to upload assets.')
    const manifest = parseManifest(await jsonOf(c.req.raw))
    const name = assertDeployableName(scriptName(c), c.var.platform.config.reservedNames)
    return c.json(succeeded(await c.var.platform.assetUploads.open(name, manifest)))
  })
}

clientApi.post('/accounts/:account/workers/assets/upload', limitUploadBody, async (c) => {
  await enforceUploadRate(c)
  const result = await c.var.platform.assetUploads.upload(bearerToken(c.req), await formOf(c.req.raw))
  return c.json(succeeded(result), 201)
})

// A worker's secrets by name (values are never read back): asked before an upload, and `wrangler secret list`.
for (const path of [SCRIPT, NAMESPACED]) {
  clientApi.get(`${path}/secrets`, async (c) => {
    const record = await c.var.platform.workers.get(scriptName(c))
    const settings = c.var.platform.settingsOf(currentDeployment(record))
    return c.json(succeeded(settings.secretNames.map((name) => ({ name, type: 'secret_text' }))))
  })

  // `wrangler secret put` (and the SDK, under the namespace): a new deployment of the code served now.
  clientApi.put(`${path}/secrets`, limitActionBody, jsonBody(secretBody), async (c) => {
    const { name: secret, text } = c.req.valid('json')
    await changeSecrets(c, { [secret]: text })
    return c.json(succeeded({ name: secret, type: 'secret_text' }))
  })

  // `wrangler secret bulk`: several set and deleted (null) at once, as one new deployment.
  clientApi.patch(`${path}/secrets-bulk`, limitActionBody, jsonBody(secretsBulkBody), async (c) => {
    const secrets = c.req.valid('json').secrets
    const record = await c.var.platform.workers.get(scriptName(c))
    const existing = c.var.platform.settingsOf(currentDeployment(record)).secretNames
    const changes = Object.fromEntries(
      Object.entries(secrets)
        // Deleting a secret the worker does not have changes nothing, as on Cloudflare.
        .filter(([name, secret]) => secret !== null || existing.includes(name))
        .map(([name, secret]) => [name, secret?.text ?? null]),
    )
    if (Object.keys(changes).length > 0) await changeSecrets(c, changes)
    return c.json(succeeded(Object.keys(secrets).map((name) => ({ name, type: 'secret_text' }))))
  })

  clientApi.delete(`${path}/secrets/:secret`, async (c) => {
    const secret = c.req.param('secret')
    const record = await c.var.platform.workers.get(scriptName(c))
    if (!c.var.platform.settingsOf(currentDeployment(record)).secretNames.includes(secret)) {
      throw new PlatformError('not_found', `"${record.name}" has no secret "${secret}".`)
    }
    await changeSecrets(c, { [secret]: null })
    return c.json(succeeded(null))
  })
}

// Cron triggers (Cloudflare's schedules API; wrangler sends none with --dispatch-namespace): the
// worker's crons, set as a new deployment like a secret.
for (const path of [SCRIPT, NAMESPACED]) {
  clientApi.get(`${path}/schedules`, async (c) => {
    const record = await c.var.platform.workers.get(scriptName(c))
    const deployment = currentDeployment(record)
    return c.json(
      succeeded({ schedules: schedulesOf(c.var.platform.settingsOf(deployment).crons, deployment?.createdAt) }),
    )
  })

  clientApi.put(`${path}/schedules`, limitActionBody, jsonBody(schedulesBody), async (c) => {
    const crons = c.req.valid('json').map((entry) => entry.cron)
    const what = crons.length > 0 ? `crons ${crons.join(', ')}` : 'no crons'
    const result = await c.var.platform.deploys.changeSettings(
      scriptName(c),
      { crons },
      what,
      bearerToken(c.req),
      requestScope(c),
    )
    return c.json(succeeded({ schedules: schedulesOf(result.deployment.settings?.crons, result.deployment.createdAt) }))
  })
}

// `wrangler tail`: a tail of the worker's invocations for its owner. wrangler opens the socket with
// no Authorization header, so the socket's address is the capability: unguessable, for one tail,
// ending with it (logs/live-tails.ts).
for (const path of [SCRIPT, NAMESPACED]) {
  clientApi.post(`${path}/tails`, limitActionBody, jsonBody(tailBody), async (c) => {
    const name = scriptName(c)
    const { filters } = c.req.valid('json')
    // The caller's address, as Cloudflare (and wrangler dev) gives it: what `client_ip: ["self"]` means.
    const self = c.req.header('cf-connecting-ip') ?? 'unknown'
    const tail = await c.var.platform.logs.openTail(name, bearerToken(c.req), filters, self, requestScope(c))
    const socket = new URL(`${CLIENT_API_MOUNT}/tails/${name}/${tail.id}/${tail.secret}`, c.req.url)
    socket.protocol = socket.protocol === 'https:' ? 'wss:' : 'ws:'
    return c.json(succeeded({ id: tail.id, url: socket.href, expires_at: new Date(tail.expiresAt).toISOString() }))
  })

  clientApi.delete(`${path}/tails/:id`, async (c) => {
    await c.var.platform.logs.closeTail(scriptName(c), bearerToken(c.req), c.req.param('id'))
    return c.json(succeeded(null))
  })
}

clientApi.get('/tails/:name/:id/:secret', async (c) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new PlatformError(
      'invalid_request',
      'A tail is a WebSocket: connect with "Upgrade: websocket", as wrangler tail does.',
    )
  }
  return c.var.platform.logs.connectTail(c.req.param('name'), c.req.param('id'), c.req.param('secret'))
})

// wrangler answers a secret put for a missing worker by creating an empty one here: the platform does
// not make workers that way.
clientApi.put(SCRIPT, () => {
  throw new PlatformError(
    'worker_not_found',
    'There is no such worker on this platform: deploy it first (wrangler deploy --dispatch-namespace <any>), then set its secrets.',
  )
})

// The worker's settings: its bindings (what wrangler reads to send a project's bindings as
// `inherit`), its runtime. Secrets by name only.
for (const path of [SCRIPT, NAMESPACED]) {
  clientApi.get(`${path}/settings`, async (c) => {
    const record = await c.var.platform.workers.owned(scriptName(c), bearerToken(c.req))
    const deployment = currentDeployment(record)
    const compatibility = deployment?.compatibility
    return c.json(
      succeeded({
        bindings: bindingsOf(c.var.platform.settingsOf(deployment)),
        compatibility_date: compatibility?.date,
        compatibility_flags: compatibility?.flags ?? [],
        logpush: false,
        tail_consumers: [],
        tags: [],
      }),
    )
  })
}

// Who a token is (wrangler asks after an authentication error, and `wrangler whoami`): an account's
// API token is its account; anything else is refused as every unknown token is.
clientApi.get('/user/tokens/verify', async (c) => {
  const token = bearerToken(c.req)
  const accountId = token ? await c.var.platform.accounts.authenticate(token) : null
  // 1000 is Cloudflare's "Invalid API Token", which wrangler reads as "not a user token" and goes on.
  if (!accountId)
    return c.json(failed(INVALID_TOKEN, 'That token is not valid: it is unknown, or it was revoked.'), 401)
  return c.json(succeeded({ id: accountId, status: 'active' }))
})

clientApi.get('/user', async (c) => {
  const account = await tokenAccount(c)
  // 9109 ("unauthorized to access"), which wrangler reads as "no email to show" and goes on.
  if (!account)
    return c.json(failed(UNAUTHORIZED_ACCESS, 'That token is not valid: it is unknown, or it was revoked.'), 403)
  return c.json(succeeded({ id: account.accountId, email: null, first_name: account.name }))
})

// The account a token speaks for (an unknown token is refused as everywhere: 401, 10001).
clientApi.get('/accounts', async (c) => {
  const account = await c.var.platform.accounts.view(await c.var.platform.accounts.require(bearerToken(c.req)))
  return c.json(succeeded([{ id: account.accountId, name: account.name, type: 'standard' }]))
})

clientApi.get('/memberships', async (c) => {
  const account = await c.var.platform.accounts.view(await c.var.platform.accounts.require(bearerToken(c.req)))
  return c.json(
    succeeded([{ id: account.accountId, account: { id: account.accountId, name: account.name, type: 'standard' } }]),
  )
})

// wrangler's provisioning of stores declared without an id (client-api-storage.ts).
clientApi.route('/', clientApiStorage)

// Anything else under /client/v4 is an envelope too, never the platform's HTML 404 page.
clientApi.all('*', (c) => {
  throw new PlatformError('not_found', `This platform does not serve ${c.req.method} ${new URL(c.req.url).pathname}.`)
})

function changeSecrets(c: Context<AppEnv, string>, secrets: Record<string, string | null>) {
  const what = Object.entries(secrets)
    .map(([secret, value]) => `secret ${secret} ${value === null ? 'deleted' : 'set'}`)
    .join(', ')
  return c.var.platform.deploys.changeSettings(scriptName(c), { secrets }, what, bearerToken(c.req), requestScope(c))
}

/** The script named in the path (every route here has one). */
function scriptName(c: Context<AppEnv, string>): string {
  const name = c.req.param('name')
  if (name === undefined) throw new PlatformError('invalid_request', 'The path names no script.')
  return name
}

/** The account whose live API token the request carries, or null. */
async function tokenAccount(c: Context<AppEnv, string>) {
  const token = bearerToken(c.req)
  const accountId = token ? await c.var.platform.accounts.authenticate(token) : null
  return accountId ? c.var.platform.accounts.view(accountId) : null
}

/** A module as the API gives it back: a part typed as the upload typed it (backends/modules.ts). */
function moduleFile(module: BundleModule): File {
  const part = toApiPart(module)
  return new File([part.content], module.name, { type: part.type })
}

function schedulesOf(crons: string[] | undefined, since: string | undefined) {
  return (crons ?? []).map((cron) => ({ cron, created_on: since, modified_on: since }))
}

async function find(platform: Platform, name: string): Promise<WorkerRecord | null> {
  try {
    return await platform.workers.get(name)
  } catch (error) {
    if (error instanceof PlatformError && (error.code === 'worker_not_found' || error.code === 'invalid_name'))
      return null
    throw error
  }
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
    has_assets: (deployment?.build?.assets.count ?? 0) > 0,
    has_modules: true,
  }
}

/** What went into a wrangler upload, for the worker page (and whether its assets come before the Worker). */
function uploadSummary(bundle: WorkerBundle, assets: DeploymentAssets | undefined): BuildSummary {
  const files = assets?.files ?? []
  return {
    files: [...bundle.modules.map((module) => module.name), ...files.map((file) => file.path)],
    dependencies: {},
    warnings: [],
    assets: { count: files.length, bytes: files.reduce((total, file) => total + file.size, 0) },
    hasWorker: true,
  }
}

async function jsonOf(request: Request): Promise<unknown> {
  try {
    return await request.json()
  } catch {
    throw new PlatformError('invalid_request', 'The body is not JSON.')
  }
}

async function formOf(request: Request): Promise<FormData> {
  try {
    return await request.formData()
  } catch {
    throw new PlatformError('invalid_request', 'The upload is not multipart/form-data.')
  }
}
