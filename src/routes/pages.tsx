import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import { limitActionBody, limitUploadBody } from '../middleware/platform'
import { enforceUploadRate, sameOriginPosts } from '../middleware/security'
import { prefillOf } from '../deploy/bundle'
import { currentDeployment } from '../deploy/deployments'
import { CredentialError, PlatformError } from '../core/errors'
import type { CronRun, WorkerRecord } from '../core/model'
import { CRON_OUTCOMES } from '../cron/schedules'
import { isValidName } from '../core/names'
import type { Platform } from '../platform/platform'
import type { Proof } from '../names/ownership'
import { workerPath } from '../core/urls'
import { DeletedPage } from '../views/deleted'
import { HomePage } from '../views/home'
import type { SettingsFieldValues, SettingsFieldsProps } from '../views/settings-fields'
import { EXAMPLE_SCRIPT, UploadPage, type CurrentCode } from '../views/upload'
import type { WorkerPageProps } from '../views/worker'
import { field, formToken, formUpload, readForm, readUploadForm, requestScope } from './input'
import { accountPages } from './account-pages'
import { domainPages } from './domain-pages'
import { adminPages } from './admin-pages'
import { auditPages } from './audit-pages'
import { adminAudit } from './admin-audit'
import { rolloutPages } from './rollout-pages'
import { streamLogs } from './log-stream'
import { proofOf, session, sessionActsOn, sessionOf, sessionWorkers, signedInAs } from './session'
import { renderWorkerPage, urlOf, workerPageWithError } from './worker-page'

/** Server-rendered pages: the worker list, the upload form and a worker's page. */
export const pages = new Hono<AppEnv>()

pages.use(sameOriginPosts)
// The worker page's forms (promote, logs, delete, cron run) send a few fields; uploads have their own cap.
pages.post('/workers/*', limitActionBody)
// Sign in and sign out: after sameOriginPosts, which refuses their cross-site posts too.
pages.route('/', session)
pages.route('/', accountPages)
pages.route('/', domainPages)
pages.route('/', adminPages)
pages.route('/', auditPages)
pages.route('/', adminAudit)
pages.route('/', rolloutPages)

pages.get('/', async (c) => {
  const platform = c.var.platform
  const cursor = c.req.query('cursor')
  const tag = c.req.query('tag')?.trim() || undefined
  const page = await platform.workers.list(cursor, tag)
  // On the shared origin the list shows paths: shorter, and the same wherever the platform runs.
  const link = (name: string) => (platform.config.userWorkersDomain ? urlOf(c, name) : workerPath(name))
  const workers = page.workers.map((worker) => ({ ...worker, url: link(worker.name) }))
  const nextPage = page.cursor
    ? `/?${new URLSearchParams({ cursor: page.cursor, ...(tag ? { tag } : {}) }).toString()}`
    : undefined
  const trust = await platform.namespaceTrust()
  const signedIn = await signedInAs(c)
  // "Your workers": the signed-in account's (or the session's worker), above everyone's.
  const own = (await sessionWorkers(c))?.map((name) => ({ name, url: link(name) }))
  return c.html(
    <HomePage
      config={platform.config}
      workers={workers}
      nextPage={nextPage}
      paged={cursor !== undefined}
      tag={tag}
      tagTraffic={tag ? await tagTraffic(platform, tag) : undefined}
      namespaceTrust={trust}
      signedIn={signedIn}
      accountWorkers={own}
    />,
  )
})

pages.get('/upload', (c) => renderUploadPage(c, c.req.query('name') ?? '', undefined))

// "Load the current code": the deploy token unlocks a private worker's code for the form.
pages.post('/upload/current', limitActionBody, async (c) => {
  const body = await readForm(c.req)
  c.header('Cache-Control', 'no-store')
  return renderUploadPage(c, field(body, 'name'), await proofOf(c, field(body, 'name'), formToken(body) ?? ''))
})

/**
 * The upload form, for a new worker or a new version of `query`'s. `token`: undefined when none was
 * given (a private worker's code is then only announced, or loaded when the session may), else what
 * the owner typed to load it.
 */
async function renderUploadPage(c: Context<AppEnv>, query: string, token: Proof) {
  const platform = c.var.platform
  const name = isValidName(query) ? query : ''
  // "Upload a new version" prefills the current settings (never secret values, nor var values).
  const current = name ? await platform.workers.find(name) : null
  const signedIn = await signedInAs(c)
  const tokenless = await uploadsWithSession(c, current)
  if (tokenless && token === undefined) token = await proofOf(c, name, undefined)
  const settings = platform.settingsOf(current ? currentDeployment(current) : undefined)
  const values = {
    vars: '',
    egress: settings.egress.mode,
    egressHosts: settings.egress.hosts.join('\n'),
    egressSockets: settings.egress.sockets ? 'on' : '',
    storageKv: settings.storage?.kv ? 'on' : '',
    storageSql: settings.storage?.sql ? 'on' : '',
    publicCode: settings.publicCode ? 'on' : '',
    cpuMs: String(settings.limits.cpuMs),
    subRequests: String(settings.limits.subRequests),
    crons: (settings.crons ?? []).join('\n'),
    tags: (settings.tags ?? []).join(', '),
  }
  const prefill = current ? await currentCodePrefill(platform, name, token) : undefined
  const refused = prefill?.kind === 'private' && prefill.refusal
  return c.html(
    <UploadPage
      backend={platform.config.backend}
      name={name}
      script={
        prefill?.kind === 'script' ? prefill.script : prefill?.kind === 'unavailable' || !prefill ? EXAMPLE_SCRIPT : ''
      }
      main={prefill?.kind === 'files' ? prefill.mainModule : ''}
      current={prefill}
      maxScriptBytes={platform.config.maxScriptBytes}
      reservedNames={[...platform.config.reservedNames]}
      egressEnforced={platform.config.egressEnforced}
      trusted={platform.config.userWorkersTrusted}
      settings={settingsProps(platform, current, values)}
      signedIn={signedIn}
      tokenless={tokenless}
    />,
    refused ? refused.status : 200,
  )
}

pages.post('/upload', limitUploadBody, async (c) => {
  const platform = c.var.platform
  const { config } = platform
  const form = await readUploadForm(c.req)
  try {
    await enforceUploadRate(c)
    const upload = formUpload(form, config.maxScriptBytes)
    const token = await proofOf(c, form.name, form.token)
    const options = { token, label: form.label, settings: form.settings(), promote: form.promote }
    const result = await platform.deploys.upload(form.name, upload, options, requestScope(c))
    const query = new URLSearchParams({ deployed: result.deployment.workerId })
    // A first upload's token is handed to the next page through a one-time key, never in the URL.
    if (result.revealId) query.set('reveal', result.revealId)
    return c.redirect(`/workers/${result.record.name}?${query.toString()}`, 303)
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error
    if (error instanceof CredentialError) c.error = error
    // Re-render the form with what the user typed (except the token) and why it was refused. Code
    // over the size cap is not sent back: the browser still has it (Back), and the page stays small.
    const withheld = error.code === 'script_too_large' && form.script !== ''
    const current = isValidName(form.name) ? await platform.workers.find(form.name) : null
    return c.html(
      <UploadPage
        backend={config.backend}
        name={form.name}
        script={withheld ? '' : form.script}
        scriptWithheld={withheld}
        label={form.label}
        promote={form.promote}
        main={form.main}
        mode={form.mode}
        language={form.language}
        entry={form.entry}
        settings={settingsProps(platform, current, form.fields)}
        maxScriptBytes={config.maxScriptBytes}
        reservedNames={[...config.reservedNames]}
        egressEnforced={config.egressEnforced}
        trusted={config.userWorkersTrusted}
        error={{ code: error.code, message: error.message }}
        signedIn={await signedInAs(c)}
        tokenless={await uploadsWithSession(c, current)}
      />,
      error.status,
      error.headers,
    )
  }
})

pages.get('/workers/:name', async (c) => {
  const platform = c.var.platform
  const record = await platform.workers.get(c.req.param('name'))
  const reveal = c.req.query('reveal')
  const token = reveal ? await platform.workers.takeRevealedToken(record.name, reveal) : null
  // The page may carry a freshly minted token: keep it out of caches.
  if (reveal) c.header('Cache-Control', 'no-store')
  return renderWorkerPage(c, record, {
    deployed: deployedNotice(record, c.req.query('deployed')),
    promoted: c.req.query('promoted') === '1',
    token: token ?? undefined,
    tokenExpired: Boolean(reveal) && token === null,
    ran: CRON_OUTCOMES.find((outcome) => outcome === c.req.query('ran')),
  })
})

pages.post('/workers/:name/cron/run', async (c) => {
  const name = c.req.param('name')
  const body = await readForm(c.req)
  let run: CronRun
  try {
    run = await c.var.platform.cron.runNow(
      name,
      field(body, 'cron') || undefined,
      await proofOf(c, name, formToken(body)),
    )
  } catch (error) {
    return workerPageWithError(c, name, error, 'cron')
  }
  return c.redirect(`/workers/${name}?ran=${run.outcome}#schedule-heading`, 303)
})

// Live logs for a signed-in page: the session's credential instead of a typed token (which the API takes).
// A GET that only reads, so SameSite=Lax keeps other sites' fetches from sending the cookie.
pages.get('/workers/:name/logs/live', async (c) =>
  streamLogs(c, c.req.param('name'), await proofOf(c, c.req.param('name'), undefined)),
)

pages.post('/workers/:name/logs', async (c) => {
  const platform = c.var.platform
  const name = c.req.param('name')
  try {
    const token = await proofOf(c, name, formToken(await readForm(c.req)))
    const logs = await platform.logs.read(name, token, requestScope(c))
    const record = await platform.workers.get(name)
    c.header('Cache-Control', 'no-store')
    return renderWorkerPage(c, record, { logs })
  } catch (error) {
    return workerPageWithError(c, name, error, 'logs')
  }
})

// A new deploy token, shown once on the page this answers (never stored by the browser).
pages.post('/workers/:name/token', async (c) => {
  const platform = c.var.platform
  const name = c.req.param('name')
  try {
    const token = await platform.workers.rotateToken(
      name,
      await proofOf(c, name, formToken(await readForm(c.req))),
      requestScope(c),
    )
    c.header('Cache-Control', 'no-store')
    return renderWorkerPage(c, await platform.workers.get(name), { token, rotated: true })
  } catch (error) {
    return workerPageWithError(c, name, error, 'rotate')
  }
})

pages.post('/workers/:name/delete', async (c) => {
  const platform = c.var.platform
  const name = c.req.param('name')
  const token = await proofOf(c, name, formToken(await readForm(c.req)))
  try {
    await platform.workers.remove(name, token, requestScope(c))
  } catch (error) {
    return workerPageWithError(c, name, error, 'delete')
  }
  return c.html(<DeletedPage backend={platform.config.backend} name={name} signedIn={await signedInAs(c)} />)
})

pages.post('/workers/:name/promote', async (c) => {
  const name = c.req.param('name')
  const body = await readForm(c.req)
  try {
    const deployment = field(body, 'deployment')
    if (!deployment) throw new PlatformError('invalid_request', 'Choose the deployment to serve.')
    await c.var.platform.deploys.promote(name, deployment, await proofOf(c, name, formToken(body)), requestScope(c))
  } catch (error) {
    return workerPageWithError(c, name, error, 'promote')
  }
  return c.redirect(`/workers/${name}?promoted=1`, 303)
})

/** The last 24 hours of the workers with a tag, for the filtered list; undefined when metrics are off. */
async function tagTraffic(platform: Platform, tag: string) {
  const report = await platform.metrics.readAll(`tag:${tag}`, await platform.workers.tagged(tag, 100))
  return report?.totals
}

/** The notice after an upload redirected here: it went live, or waits as a candidate. */
function deployedNotice(record: WorkerRecord, workerId: string | undefined): WorkerPageProps['deployed'] {
  if (workerId === record.workerId) return 'live'
  return record.deployments.some((deployment) => deployment.workerId === workerId) ? 'candidate' : undefined
}

/**
 * The current code of a worker for "upload a new version": private code without its token is only
 * announced (with why, when a token was given); any other failure to read it only loses the prefill.
 */
async function currentCodePrefill(platform: Platform, name: string, token: Proof): Promise<CurrentCode> {
  try {
    const bundle = await platform.workers.currentCode(name, token)
    return bundle ? prefillOf(bundle) : { kind: 'unavailable' }
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error
    if (error.code === 'unauthorized' || error.code === 'forbidden') {
      const asked = token !== undefined
      return asked
        ? { kind: 'private', refusal: { message: error.message, status: error.status } }
        : { kind: 'private' }
    }
    return { kind: 'unavailable' }
  }
}

/**
 * Whether the upload form deploys with the session, without a token field: signed in, and the name
 * is the session's worker, or new under an account's session (it will be the account's).
 */
async function uploadsWithSession(c: Context<AppEnv>, current: WorkerRecord | null): Promise<boolean> {
  const found = await sessionOf(c)
  if (!found) return false
  return current === null ? found.accountId !== undefined : sessionActsOn(c, current.name)
}

/** The settings part of the upload form: the values shown, and the names the worker already has. */
function settingsProps(
  platform: Platform,
  current: WorkerRecord | null,
  values: SettingsFieldValues,
): SettingsFieldsProps {
  const settings = current ? platform.settingsOf(currentDeployment(current)) : undefined
  const customised =
    settings !== undefined &&
    (Object.keys(settings.vars).length > 0 || settings.secretNames.length > 0 || settings.egress.mode !== 'allow-all')
  return {
    values,
    varNames: Object.keys(settings?.vars ?? {}),
    secretNames: settings?.secretNames ?? [],
    limits: platform.config.limits,
    // A schedule typed (or kept) is shown, so a refused upload does not hide it.
    open: customised || Boolean(values.crons?.trim()),
    cron: platform.config.cron,
  }
}
