import type { Child, FC } from 'hono/jsx'
import { formatTime } from '../lib/format'
import type { AuditEvent } from '../audit/audit-events'
import { AUDIT_PAGE_SIZE } from '../audit/audit-log'
import type { BackendKind } from '../core/model'
import { Layout } from './layout'

/** How many entries the worker page shows before linking the whole log. */
export const AUDIT_ENTRIES_ON_WORKER_PAGE = 10

/** Audit entries as a table, newest first; `showWorker` adds the worker's column (the operator's trail). */
export const AuditTable: FC<{ events: AuditEvent[]; caption: string; showWorker?: boolean }> = ({
  events,
  caption,
  showWorker = false,
}) => (
  <div class="table-wrap">
    <table class="audit">
      <caption class="skip">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          {showWorker && <th scope="col">Worker</th>}
          <th scope="col">Change</th>
          <th scope="col">By</th>
          <th scope="col" class="optional">
            From
          </th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr>
            <td>
              <time datetime={event.at}>{formatTime(event.at)}</time>
            </td>
            {showWorker && <td>{event.name ?? (event.accountId ? `account ${event.accountId}` : '')}</td>}
            <td>
              <code class="small">{event.action}</code> {event.detail}
            </td>
            <td>
              <code class="small">{event.actor}</code>
            </td>
            <td class="optional">{event.ip ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
)

/** The worker page's section, for a signed-in owner: the newest entries and a link to all of them. */
export const WorkerAuditSection: FC<{ name: string; events: AuditEvent[] }> = ({ name, events }) => (
  <>
    <h2 id="audit-heading">Audit log</h2>
    <section class="card" aria-labelledby="audit-heading">
      {events.length === 0 ? (
        <p class="hint">No change recorded yet.</p>
      ) : (
        <AuditTable events={events.slice(0, AUDIT_ENTRIES_ON_WORKER_PAGE)} caption={`Latest changes to ${name}`} />
      )}
      <p class="hint">
        Every change, who made it and from which IP. <a href={`/workers/${name}/audit`}>The whole log</a> ·{' '}
        <a href={`/workers/${name}/audit?format=csv`}>CSV</a> · also <code>GET /api/workers/{name}/audit</code>.
      </p>
    </section>
  </>
)

export interface AuditPageProps {
  backend: BackendKind
  signedIn: { label: string; account?: boolean } | null
  title: string
  /** Where the page lives (its next page adds `before`); its query keeps any filter. */
  path: string
  events: AuditEvent[]
  showWorker?: boolean
  /** Above the table: a filter form, or a link back. */
  children?: Child
}

/** A page of an audit log (a worker's): newest first, older ones a link away. */
export const AuditPage: FC<AuditPageProps> = ({ backend, signedIn, title, path, events, showWorker, children }) => (
  <Layout title={title} backend={backend} signedIn={signedIn}>
    <h1>{title}</h1>
    {children}
    <AuditEntries title={title} path={path} events={events} showWorker={showWorker} />
  </Layout>
)

/** The entries of a page, the link to older ones, and the page as CSV. */
export const AuditEntries: FC<Pick<AuditPageProps, 'title' | 'path' | 'events' | 'showWorker'>> = ({
  title,
  path,
  events,
  showWorker,
}) => {
  const older = events.length >= AUDIT_PAGE_SIZE ? events.at(-1)?.id : undefined
  const join = path.includes('?') ? '&' : '?'
  return (
    <>
      {events.length === 0 ? (
        <p>No entries.</p>
      ) : (
        <AuditTable events={events} caption={title} showWorker={showWorker} />
      )}
      <p>
        {older !== undefined && (
          <>
            <a href={`${path}${join}before=${older}`}>Older entries</a> ·{' '}
          </>
        )}
        <a href={`${path}${join}format=csv`}>This page as CSV</a>
      </p>
    </>
  )
}
