import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import { limitActionBody, limitUploadBody } from '../middleware/platform'
import { enforceUploadRate } from '../middleware/security'
import { nextDue } from '../cron/cron'
import { currentDeployment } from '../deploy/deployments'
import { PlatformError } from '../core/errors'
import type { WorkerRecord } from '../core/model'
import { assertDeployableName } from '../core/names'
import type { Platform } from '../platform/platform'
import { ownOriginUrlForPage, previewUrlsForPage, workerUrl } from '../core/urls'
import { bearerToken, promoteOption, readApiUpload, requestScope } from './input'
import { cronRunBody, promoteBody, rolloutBody } from './bodies'
import { jsonBody } from './validate'
import { streamLogs } from './log-stream'
import { accounts } from './accounts'
import { domainsApi } from './domains'
import { adminApi } from './admin'
import { usageApi } from './usage'
import { auditApi } from './audit'

/** JSON API under /api. Errors are `{ "error": { "code", "message" } }` (see routes/errors). */
export const api = new Hono<AppEnv>()

// Only uploads (PUT) carry code; every other body is a few fields, capped before it is read.
api.on(['POST', 'DELETE', 'PATCH'], '*', limitActionBody)
api.route('/', accounts)
api.route('/', domainsApi)
api.route('/', adminApi)
api.route('/', usageApi)
api.route('/', auditApi)

api.get('/workers', async (c) => {
  const platform = c.var.platform
  // ?tag=<tag>: only the workers whose serving deployment has that tag.
  const page = await platform.workers.list(c.req.query('cursor'), c.req.query('tag')?.trim() || undefined)
  const url = (name: string) => workerUrl(c.req.url, name, platform.config.userWorkersDomain)
  return c.json({
    workers: page.workers.map((worker) => ({ ...worker, url: url(worker.name) })),
    cursor: page.cursor ?? null,
  })
})

api.get('/workers/:name', async (c) => {
  const record = await c.var.platform.workers.get(c.req.param('name'))
  return c.json(describe(c.var.platform, record, c.req.url))
})

api.put('/workers/:name', limitUploadBody, async (c) => {
  const platform = c.var.platform
  // Validate the name and the budget before reading a possibly large body.
  const name = assertDeployableName(c.req.param('name'), platform.config.reservedNames)
  await enforceUploadRate(c)
  const upload = await readApiUpload(c.req, {
    maxScriptBytes: platform.config.maxScriptBytes,
    maxFiles: platform.config.buildLimits.maxFiles,
  })
  const promote = promoteOption(c.req.query('promote'))
  const options = { token: bearerToken(c.req), label: upload.label, settings: upload.settings, promote }
  const result = await platform.deploys.upload(name, upload.upload, options, requestScope(c))
  const body = describe(platform, result.record, c.req.url)
  // The deploy token is returned once, to the upload that claimed the name; only its hash is kept.
  return result.token ? c.json({ ...body, token: result.token }, 201) : c.json(body, result.created ? 201 : 200)
})

// Promoting a candidate and rolling back are one operation: a retained deployment becomes current.
api.post('/workers/:name/:action{promote|rollback}', jsonBody(promoteBody), async (c) => {
  const { deployment } = c.req.valid('json')
  const name = c.req.param('name')
  const record = await c.var.platform.deploys.promote(name, deployment, bearerToken(c.req), requestScope(c))
  return c.json(describe(c.var.platform, record, c.req.url))
})

// A gradual rollout: the candidate to `percent` of visitors (promote ends it at 100 %, DELETE aborts it).
api.post('/workers/:name/rollout', jsonBody(rolloutBody), async (c) => {
  const { deployment, percent } = c.req.valid('json')
  const name = c.req.param('name')
  const record = await c.var.platform.rollouts.set(name, deployment, percent, bearerToken(c.req), requestScope(c))
  return c.json(describe(c.var.platform, record, c.req.url))
})

// Public like the metrics: the rollout, and each side's requests, errors, p50 and p99 since it started.
api.get('/workers/:name/rollout', async (c) => {
  const platform = c.var.platform
  const record = await platform.workers.get(c.req.param('name'))
  c.header('Cache-Control', 'no-store')
  return c.json({ name: record.name, rollout: null, ...(await platform.rolloutMetrics.read(record)) })
})

api.delete('/workers/:name/rollout', async (c) => {
  const record = await c.var.platform.rollouts.abort(c.req.param('name'), bearerToken(c.req), requestScope(c))
  return c.json(describe(c.var.platform, record, c.req.url))
})

api.get('/workers/:name/logs', async (c) => {
  // ?follow=1: new lines as server-sent events (see log-stream.ts); otherwise the recent lines as JSON.
  if (isOn(c.req.query('follow'))) return streamLogs(c, c.req.param('name'), bearerToken(c.req))
  const logs = await c.var.platform.logs.read(c.req.param('name'), bearerToken(c.req), requestScope(c))
  c.header('Cache-Control', 'no-store')
  return c.json(logs)
})

api.get('/workers/:name/cron', async (c) => {
  return c.json(await c.var.platform.cron.view(c.req.param('name')))
})

// The body is optional: { "cron": "…" } picks one of the worker's crons (default: the first).
api.post('/workers/:name/cron/run', jsonBody(cronRunBody, { onlyIfJson: true }), async (c) => {
  const { cron } = c.req.valid('json')
  const run = await c.var.platform.cron.runNow(c.req.param('name'), cron, bearerToken(c.req))
  return c.json(run)
})

// A worker's stored data, for its owner or an admin: env.KV as JSON lines, env.DB as an SQL script.
api.get('/workers/:name/data/:kind{kv|sql}', async (c) => {
  const kind = c.req.param('kind') === 'kv' ? 'kv' : 'sql'
  // ?store=<id>: one of the stores a project declared (the worker page lists them); else env.KV / env.DB's own.
  const store = c.req.query('store')
  const data = await c.var.platform.data.export(c.req.param('name'), bearerToken(c.req), kind, store)
  c.header('Cache-Control', 'no-store')
  c.header('Content-Type', kind === 'kv' ? 'application/x-ndjson; charset=utf-8' : 'application/sql; charset=utf-8')
  return c.body(data)
})

// Public, like the deployment list: counts and timings of a worker's traffic, nothing of its content.
api.get('/workers/:name/metrics', async (c) => {
  const platform = c.var.platform
  const metrics = await platform.metrics.read(await platform.workers.get(c.req.param('name')))
  if (!metrics) throw new PlatformError('not_found', 'Metrics are off on this platform (METRICS=off).')
  c.header('Cache-Control', 'no-store')
  return c.json(metrics)
})

// Public like a worker's: the traffic of the workers with a tag, their minutes merged (at most 100 workers).
api.get('/tags/:tag/metrics', async (c) => {
  const platform = c.var.platform
  const tag = c.req.param('tag')
  const records = await platform.workers.tagged(tag, MAX_TAGGED_METRICS)
  const metrics = await platform.metrics.readAll(`tag:${tag}`, records)
  if (!metrics) throw new PlatformError('not_found', 'Metrics are off on this platform (METRICS=off).')
  c.header('Cache-Control', 'no-store')
  return c.json({ tag, workers: records.map((record) => record.name), ...metrics })
})

api.delete('/workers/:name', async (c) => {
  const record = await c.var.platform.workers.remove(c.req.param('name'), bearerToken(c.req), requestScope(c))
  return c.json({ name: record.name, deleted: true })
})

/** When the worker's crons next run (UTC), as its name's object plans it; null without crons. */
function nextRunAt(crons: string[] | undefined): string | null {
  const due = nextDue(crons ?? [], Date.now())
  return due ? new Date(due.at).toISOString() : null
}

/** The most workers a tag's metrics merge. */
const MAX_TAGGED_METRICS = 100

/** A query flag: `?follow=1` or `?follow=true`; absent, empty or anything else is off. */
function isOn(value: string | undefined): boolean {
  return value === '1' || value === 'true'
}

/** Public description of a worker: variable and secret names, never their values. */
function describe(platform: Platform, record: WorkerRecord, requestUrl: string) {
  const current = currentDeployment(record)
  const settings = platform.settingsOf(current)
  return {
    name: record.name,
    workerId: record.workerId,
    url: workerUrl(requestUrl, record.name, platform.config.userWorkersDomain),
    // Its own origin too, where host routing reaches it (always on localhost): what sites need.
    siteUrl: ownOriginUrlForPage(requestUrl, record.name, platform.config.userWorkersDomain),
    backend: record.backend,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    size: current?.size,
    sha256: current?.sha256,
    label: current?.label,
    compatibility: current?.compatibility,
    // A built project: its files, resolved dependencies, warnings and assets.
    build: current?.build,
    // Advice about the upload that did not stop it (e.g. scheduled() without crons).
    ...(current?.hints ? { hints: current.hints } : {}),
    crons: settings.crons ?? [],
    rollout: record.rollout ?? null,
    nextRunAt: nextRunAt(settings.crons),
    settings: {
      vars: [...Object.keys(settings.vars), ...Object.keys(settings.jsonVars ?? {})],
      secrets: settings.secretNames,
      egress: settings.egress,
      publicCode: settings.publicCode === true,
      tags: settings.tags ?? [],
      limits: settings.limits,
    },
    deployments: record.deployments.map(({ settings: _settings, ...deployment }) => ({
      ...deployment,
      current: deployment.workerId === record.workerId,
      // Every retained deployment, current or not, at its own immutable URL (see core/urls.ts).
      preview: previewUrlsForPage(requestUrl, record.name, deployment.workerId, platform.config.userWorkersDomain),
    })),
  }
}
