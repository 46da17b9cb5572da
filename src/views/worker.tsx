import type { FC } from 'hono/jsx'
import { formatBytes, formatTime } from '../lib/format'
import { currentDeployment } from '../deploy/deployments'
import { LOG_LINES_KEPT } from '../logs/logs'
import type { MetricsReport } from '../metrics/metrics'
import type { BackendKind, CronOutcome, LogLine, WorkerRecord, WorkerSettings } from '../core/model'
import type { ScheduleView } from '../cron/schedules'
import type { WorkerStorageUsage } from '../storage/tenant-data'
import type { OwnerEvent } from '../names/owner-changes'
import { Layout } from './layout'
import { captureTriggers, LogView } from './logs'
import { WorkerNotices, type BudgetView } from './worker-notices'
import { TagLinks } from './tag-links'
import { WorkerDomains, type WorkerDomainsProps } from './worker-domains'
import type { ListedDomain } from '../domains/domains'
import { MetricsChart } from './metrics-chart'
import { OwnerHistory } from './owner-history'
import { WorkerAuditSection } from './audit-log'
import type { AuditEvent } from '../audit/audit-events'
import { BuildDetails } from './worker-build'
import { WorkerStorage } from './worker-storage'
import { FormError, TokenSubmit, type FormRefusal } from './worker-forms'
import { Schedule } from './worker-schedule'
import { WorkerDeployments } from './worker-deployments'
import { WorkerRollout, type RolloutInput } from './worker-rollout'
import type { RolloutReport } from '../metrics/rollout-metrics'
import { WorkerTokenAndDelete } from './worker-danger'

export type { WorkerForm } from './worker-forms'

export interface WorkerPageProps {
  backend: BackendKind
  record: WorkerRecord
  /** Absolute URL the worker is served at: its own origin with USER_WORKERS_DOMAIN, else the shared origin. */
  url: string
  /**
   * Its own origin, when host routing reaches it for this request (`<name>.localhost:8787` under
   * `npm run dev`): then the page links this first, since a site needs it, and the shared origin after.
   */
  siteUrl?: string
  /** Right after a successful upload: whether it went live or waits as a candidate. */
  deployed?: 'live' | 'candidate'
  /** True right after a promotion or rollback. */
  promoted?: boolean
  /** Where each retained deployment is previewed, by Worker ID (see core/urls.ts). */
  previews: Record<string, { url: string; siteUrl?: string }>
  /** The deploy token of a name just claimed, or just rotated: shown on this page only, once. */
  token?: string
  /** The token above replaces the one before (a rotation), rather than being the first. */
  rotated?: boolean
  /** The one-time token link was already used (page reloaded) or expired. */
  tokenExpired?: boolean
  /** Why the last delete or promotion was refused, shown next to that form. */
  formError?: FormRefusal
  /** Recent output, shown after the owner asked for it with the token. */
  logs?: { lines: LogLine[]; capturingUntil: string }
  /** What the serving deployment runs with. */
  settings: WorkerSettings
  /** How long a deploy turns log capture on (LOG_CAPTURE_AFTER_DEPLOY_MINUTES). */
  captureAfterDeployMs: number
  /** Its cron schedule: next run and last runs (absent: no crons). */
  schedule?: ScheduleView
  /** How the run just asked for with "Run now" ended. */
  ran?: CronOutcome
  /** When the page is rendered (default: now); tells whether log capture is on. */
  now?: number
  /** What the worker keeps in env.KV and env.DB, when the serving deployment has storage. */
  storage?: WorkerStorageUsage
  /** Requests, errors and timings of the last 24 hours; absent when metrics are off. */
  metrics?: MetricsReport
  /** Who is signed in to the console (null: no one), for the layout. */
  signedIn?: { label: string } | null
  /** Signed in with the worker's account: its forms act with the session, without token fields. */
  tokenless?: boolean
  /** Rotations, moves and revocations, for a signed-in owner (see names/owner-changes.ts). */
  ownerEvents?: OwnerEvent[]
  /** The newest audit entries, for a signed-in owner (audit/). */
  auditEvents?: AuditEvent[]
  /** The worker's custom domains, for its owner (signed in, or after giving the token). */
  domains?: ListedDomain[]
  /** The hostname typed into the add form, when it was refused. */
  domainInput?: string
  /** Its daily budget and today's use, when it has one (budgets/). */
  budget?: BudgetView | undefined
  /** A rollout in progress, with each side's metrics; and what its refused form held. */
  rollout?: RolloutReport | undefined
  rolloutInput?: RolloutInput
  /** How this platform serves custom domains. */
  domainSettings: Pick<WorkerDomainsProps, 'saasZone' | 'cnameTarget' | 'maxPerWorker'>
}

export const WorkerPage: FC<WorkerPageProps> = (props) => {
  const {
    backend,
    record,
    url,
    siteUrl,
    deployed,
    promoted,
    previews,
    token,
    rotated,
    tokenExpired,
    formError,
    logs,
    settings,
    storage,
  } = props
  const { schedule, ran, signedIn, tokenless = false } = props
  const current = currentDeployment(record)
  const newest = record.deployments[0]
  // On the shared origin a site's absolute URLs (/style.css) reach the platform: link its own origin first.
  const mainUrl = siteUrl ?? url
  const sharedUrl = siteUrl && siteUrl !== url ? url : undefined
  const candidate = newest && previews[newest.workerId]
  const candidateUrl = candidate?.siteUrl ?? candidate?.url
  return (
    <Layout title={record.name} backend={backend} signedIn={signedIn}>
      <WorkerNotices record={record} budget={props.budget} />
      {deployed === 'live' && (
        <div class="alert success" role="status">
          <strong>Deployed.</strong> Your worker is live at <a href={mainUrl}>{mainUrl}</a>
        </div>
      )}
      {deployed === 'candidate' && newest && candidateUrl && (
        <div class="alert success" role="status">
          <strong>Deployed as a candidate.</strong> {record.name} still serves {current?.label}; try {newest.label} at{' '}
          <a href={candidateUrl}>{candidateUrl}</a>, then promote it below.
        </div>
      )}
      {token && rotated && (
        <div class="alert success" role="status">
          <strong>Rotated.</strong> The previous deploy token no longer works.
        </div>
      )}
      {promoted && (
        <div class="alert success" role="status">
          <strong>Promoted.</strong> {current?.label ?? record.workerId} is serving now.
        </div>
      )}
      {token && (
        <section class="alert token" aria-labelledby="token-heading">
          <h2 id="token-heading">Save your deploy token now</h2>
          <p>
            It is shown only this once. You need it to update, roll back or delete <strong>{record.name}</strong>; the
            platform keeps only a hash of it and cannot show it again.
          </p>
          <label for="deploy-token">Deploy token</label>
          <textarea id="deploy-token" class="secret" readonly rows={2}>
            {token}
          </textarea>
          <button type="button" class="secondary" data-copy="#deploy-token" hidden>
            Copy token
          </button>
        </section>
      )}
      {tokenExpired && (
        <div class="alert notice" role="status">
          The deploy token was shown once already and is not displayed again.
        </div>
      )}
      <h1>{record.name}</h1>
      <div class="card">
        <dl>
          <dt>URL</dt>
          <dd>
            <a href={mainUrl}>{mainUrl}</a>
          </dd>
          {sharedUrl && (
            <>
              <dt>Also at</dt>
              <dd>
                <a href={sharedUrl}>{sharedUrl}</a>{' '}
                <span class="hint">— the shared origin, where a site’s absolute links reach the platform</span>
              </dd>
            </>
          )}
          <dt>Serving</dt>
          <dd>
            {current?.label} <code>{record.workerId}</code>
          </dd>
          <dt>Last changed</dt>
          <dd>
            <time datetime={record.updatedAt}>{formatTime(record.updatedAt)}</time>
          </dd>
          <dt>Variables</dt>
          <dd>{names([...Object.keys(settings.vars), ...Object.keys(settings.jsonVars ?? {})])}</dd>
          <dt>Secrets</dt>
          <dd>{names(settings.secretNames)}</dd>
          {settings.tags && (
            <>
              <dt>Tags</dt>
              <dd>
                <TagLinks tags={settings.tags} />
              </dd>
            </>
          )}
          <dt>Egress</dt>
          <dd>
            {settings.egress.mode}
            {settings.egress.mode === 'allow-list' && `: ${settings.egress.hosts.join(', ')}`}
          </dd>
          <dt>Limits</dt>
          <dd>
            {settings.limits.cpuMs} ms CPU, {settings.limits.subRequests} subrequests per request
          </dd>
          {current && (
            <>
              <dt>Size</dt>
              <dd>{formatBytes(current.size)}</dd>
              <dt>SHA-256</dt>
              <dd>
                <code>{current.sha256}</code>
              </dd>
              {current.compatibility && (
                <>
                  <dt>Runtime</dt>
                  <dd>
                    compatibility date <code>{current.compatibility.date}</code>
                    {current.compatibility.flags.length > 0 && <>, flags {current.compatibility.flags.join(', ')}</>}
                  </dd>
                </>
              )}
            </>
          )}
        </dl>
      </div>
      {current?.build && <BuildDetails build={current.build} />}
      {current?.hints && (
        <div class="alert notice" role="status">
          <strong>Hints</strong>
          <ul>
            {current.hints.map((hint) => (
              <li>{hint}</li>
            ))}
          </ul>
        </div>
      )}
      <h2>Call it</h2>
      <pre class="code">
        <code id="curl-line">{`curl ${mainUrl}`}</code>
      </pre>
      <button type="button" class="secondary" data-copy="#curl-line" hidden>
        Copy command
      </button>
      <p>
        <a href={`/upload?name=${record.name}`}>Upload a new version</a> · <a href="/">All workers</a>
        {signedIn === null && (
          <>
            {' '}
            · <a href={`/signin?worker=${record.name}`}>Sign in</a> to act on it without a token in each form
          </>
        )}
      </p>
      {props.metrics && <MetricsChart report={props.metrics} />}

      <WorkerDeployments
        record={record}
        previews={previews}
        settings={settings}
        formError={formError}
        tokenless={tokenless}
      />
      <WorkerRollout
        record={record}
        report={props.rollout}
        input={props.rolloutInput}
        formError={formError}
        tokenless={tokenless}
      />

      <Schedule name={record.name} schedule={schedule} ran={ran} formError={formError} tokenless={tokenless} />

      <h2 id="logs-heading">Recent logs</h2>
      <FormError form="logs" error={formError} />
      <LogView
        record={record}
        logs={logs}
        now={props.now ?? Date.now()}
        captureAfterDeployMs={props.captureAfterDeployMs}
      />
      <form
        class="card"
        method="post"
        action={`/workers/${record.name}/logs`}
        aria-labelledby="logs-heading"
        // Following live reads /api with the token typed here, or the page's own route with the session.
        data-follow-logs={tokenless ? `/workers/${record.name}/logs/live` : `/api/workers/${record.name}/logs?follow=1`}
      >
        <p>
          The last {LOG_LINES_KEPT} lines of console output and uncaught exceptions, for the owner. Like{' '}
          <code>wrangler tail</code>, they are captured while someone watches
          {props.captureAfterDeployMs > 0 ? ', and after each deploy' : ''}:{' '}
          {captureTriggers(props.captureAfterDeployMs)}. With JavaScript, new lines then appear here live.
        </p>
        <TokenSubmit id="logs-token" tokenless={tokenless}>
          <button type="submit">{logs ? 'Refresh logs' : 'Show logs'}</button>
        </TokenSubmit>
      </form>

      {storage && <WorkerStorage name={record.name} usage={storage} settings={settings} />}

      <WorkerDomains
        name={record.name}
        domains={props.domains}
        input={props.domainInput}
        {...props.domainSettings}
        formError={formError}
        tokenless={tokenless}
      />

      {props.ownerEvents && <OwnerHistory events={props.ownerEvents} />}
      {props.auditEvents && <WorkerAuditSection name={record.name} events={props.auditEvents} />}

      <WorkerTokenAndDelete name={record.name} formError={formError} tokenless={tokenless} />
    </Layout>
  )
}

function names(list: string[]): string {
  return list.length > 0 ? list.join(', ') : 'none'
}
