import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from '../context'
import { currentDeployment } from '../deploy/deployments'
import { CredentialError, PlatformError } from '../core/errors'
import type { WorkerRecord } from '../core/model'
import type { ScheduleView } from '../cron/schedules'
import type { Platform } from '../platform/platform'
import { ownOriginUrlForPage, previewUrlsForPage, workerUrl } from '../core/urls'
import { WorkerPage, type WorkerPageProps } from '../views/worker'
import type { WorkerForm } from '../views/worker-forms'
import { proofOf, sessionActsOn, signedInAs } from './session'
import type { Proof } from '../names/ownership'
import { cpuBudgetOf, requestBudgetOf } from '../budgets/budget-of'
import type { BudgetView } from '../views/worker-notices'

// A worker's page as every route renders it (pages.tsx, domain-pages.tsx): the record with what
// the platform knows about it, and what the signed-in owner may see.

export function urlOf(c: Context<AppEnv>, name: string): string {
  return workerUrl(c.req.url, name, c.var.platform.config.userWorkersDomain)
}

/** The worker's schedule for its page; no call to its object when it has no crons. */
async function scheduleOf(platform: Platform, record: WorkerRecord): Promise<ScheduleView | undefined> {
  return platform.settingsOf(currentDeployment(record)).crons?.length ? platform.cron.view(record.name) : undefined
}

/** A refused action on the worker page: the page again, with the reason next to the form used. */
export async function workerPageWithError(
  c: Context<AppEnv>,
  name: string,
  error: unknown,
  form: WorkerForm,
  /** What the refused form held, to show again. */
  kept: PageExtras = {},
) {
  if (!(error instanceof PlatformError) || error.code === 'worker_not_found') throw error
  // Rendered here rather than thrown: tell limitFailedCredentials about a refused token all the same.
  if (error instanceof CredentialError) c.error = error
  const record = await c.var.platform.workers.get(name)
  return renderWorkerPage(c, record, { ...kept, formError: { form, message: error.message } }, error.status)
}

type PageExtras = Partial<
  Omit<
    WorkerPageProps,
    | 'backend'
    | 'record'
    | 'url'
    | 'settings'
    | 'previews'
    | 'schedule'
    | 'metrics'
    | 'captureAfterDeployMs'
    | 'domainSettings'
    | 'budget'
    | 'rollout'
  >
>

export async function renderWorkerPage(
  c: Context<AppEnv>,
  record: WorkerRecord,
  extras: PageExtras,
  status: ContentfulStatusCode = 200,
) {
  const platform = c.var.platform
  const { workers, domains } = platform
  const storage = await storageUsageOf(platform, record)
  const metrics = await platform.metrics.read(record)
  const signedIn = await signedInAs(c)
  const tokenless = signedIn !== null && (await sessionActsOn(c, record.name))
  return c.html(
    <WorkerPage
      {...extras}
      signedIn={signedIn}
      tokenless={tokenless}
      ownerEvents={
        tokenless
          ? await forSignedInOwner(c, record.name, (proof) => workers.ownerEvents(record.name, proof))
          : undefined
      }
      auditEvents={
        tokenless
          ? await forSignedInOwner(c, record.name, (proof) => platform.audit.ofWorker(record.name, proof))
          : undefined
      }
      domains={
        extras.domains ??
        (tokenless ? await forSignedInOwner(c, record.name, (proof) => domains.list(record.name, proof)) : undefined)
      }
      domainSettings={{
        saasZone: platform.config.domains.zone !== undefined,
        cnameTarget: platform.config.domains.cnameTarget,
        maxPerWorker: platform.config.domains.maxPerWorker,
      }}
      previews={Object.fromEntries(
        record.deployments.map((deployment) => [
          deployment.workerId,
          previewUrlsForPage(c.req.url, record.name, deployment.workerId, platform.config.userWorkersDomain),
        ]),
      )}
      metrics={metrics ?? undefined}
      backend={platform.config.backend}
      record={record}
      url={urlOf(c, record.name)}
      siteUrl={ownOriginUrlForPage(c.req.url, record.name, platform.config.userWorkersDomain)}
      settings={platform.settingsOf(currentDeployment(record))}
      captureAfterDeployMs={platform.config.logCaptureAfterChangeMs}
      budget={await budgetOf(platform, record)}
      rollout={(await platform.rolloutMetrics.read(record)) ?? undefined}
      schedule={await scheduleOf(platform, record)}
      storage={storage}
    />,
    status,
  )
}

/**
 * What a signed-in owner's page shows of `read` (the owner history, the custom domains); a refusal
 * (the session ended meanwhile) only leaves it out.
 */
async function forSignedInOwner<T>(
  c: Context<AppEnv>,
  name: string,
  read: (proof: Proof) => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read(await proofOf(c, name, undefined))
  } catch (error) {
    if (error instanceof PlatformError) return undefined
    throw error
  }
}

/** The worker's budgets and what it used today (a failure only loses the figures). */
async function budgetOf(platform: Platform, record: WorkerRecord): Promise<BudgetView | undefined> {
  const requestsPerDay = requestBudgetOf(record, platform.config.budgets)
  const cpuMsPerDay = cpuBudgetOf(record, platform.config.budgets)
  try {
    return { requestsPerDay, cpuMsPerDay, today: await platform.usage.today(record) }
  } catch {
    return requestsPerDay > 0 || cpuMsPerDay > 0 ? { requestsPerDay, cpuMsPerDay, today: null } : undefined
  }
}

/** Storage usage for the page, when the worker has storage; a failure only loses the figures. */
async function storageUsageOf(platform: Platform, record: WorkerRecord) {
  const settings = platform.settingsOf(currentDeployment(record))
  if (!settings.storage && !record.stores?.length) return undefined
  try {
    return await platform.data.usage(record, settings)
  } catch {
    return undefined
  }
}
