import type { FC } from 'hono/jsx'
import { formatTime } from '../lib/format'
import type { Config } from '../core/config'
import type { NamespaceTrust } from '../dispatch/isolation'
import type { WorkerSummary } from '../core/model'
import type { Summary } from '../metrics/metrics'
import { USER_WORKERS_MOUNT } from '../core/urls'
import { Layout } from './layout'
import { EgressNotice, TrustNotice } from './notices'

export interface HomeProps {
  config: Pick<
    Config,
    | 'backend'
    | 'backendReason'
    | 'userWorkersDomain'
    | 'placeholders'
    | 'egressEnforced'
    | 'userWorkersTrusted'
    | 'dispatchNamespace'
  >
  /** dispatch-namespace: the namespace's own trust flag, to compare with USER_WORKERS_TRUSTED. */
  namespaceTrust?: NamespaceTrust | undefined
  /** Each worker with the URL it is served at. */
  workers: (WorkerSummary & { url: string })[]
  /** Link to the next page of workers, when there is one. */
  nextPage?: string
  /** True when this page was reached through a cursor (not the first page). */
  paged: boolean
  /** The tag the list is filtered by, if any. */
  tag?: string | undefined
  /** The traffic of the tagged workers, last 24 hours (absent: no filter, or metrics off). */
  tagTraffic?: Summary | undefined
  /** Who is signed in to the console (null: no one). */
  signedIn?: { label: string } | null
  /** Signed in: the account's workers, listed first as "Your workers". */
  accountWorkers?: { name: string; url: string }[] | undefined
}

export const HomePage: FC<HomeProps> = ({
  config,
  workers,
  nextPage,
  paged,
  namespaceTrust,
  signedIn,
  accountWorkers,
  tag,
  tagTraffic,
}) => (
  <Layout title="Workers" backend={config.backend} current="home" signedIn={signedIn}>
    <h1>Your workers</h1>
    {accountWorkers && <AccountWorkers workers={accountWorkers} />}
    {accountWorkers && <h2 id="all-workers">All workers</h2>}
    <p class="lead">
      Each worker is served at{' '}
      <code>{config.userWorkersDomain ? `<name>.${config.userWorkersDomain}` : `${USER_WORKERS_MOUNT}/<name>`}</code>.
      User Workers run on the <strong>{config.backend}</strong> backend: {config.backendReason}
    </p>
    {!config.egressEnforced && <EgressNotice />}
    {namespaceTrust && <TrustNotice config={config} trust={namespaceTrust} />}
    {config.placeholders.length > 0 && (
      <div class="alert notice" id="placeholders">
        <p>
          {config.placeholders.map((name, index) => (
            <>
              {index > 0 && ', '}
              <code>{name}</code>
            </>
          ))}{' '}
          {config.placeholders.length === 1 ? 'holds a placeholder' : 'hold placeholders'} (<code>your_…</code>, as
          copied from <code>.env.test</code>), so the platform treats {config.placeholders.length === 1 ? 'it' : 'them'}{' '}
          as unset, even though wrangler lists {config.placeholders.length === 1 ? 'it' : 'them'} as bindings. Put real
          values in <code>.env</code> (or <code>.dev.vars</code>) to use them, or delete the lines.
        </p>
      </div>
    )}
    <form class="inline" method="get" action="/" role="search" aria-label="Filter by tag">
      <label for="tag-filter">Tag</label> <input type="text" id="tag-filter" name="tag" value={tag ?? ''} />{' '}
      <button type="submit" class="secondary">
        Filter
      </button>
      {tag && (
        <>
          {' '}
          <a href="/">Show all</a>
        </>
      )}
    </form>
    {tag && tagTraffic && (
      <p id="tag-traffic">
        Tagged {tag}, last 24 hours: {tagTraffic.requests} requests, {tagTraffic.errors} errors
        {tagTraffic.p50Ms !== null && `, p50 ${tagTraffic.p50Ms} ms, p99 ${tagTraffic.p99Ms} ms`}.
      </p>
    )}
    {tag && workers.length === 0 && !paged ? (
      <p>No worker is tagged {tag} (the list may take a minute to show a change).</p>
    ) : workers.length === 0 && !paged ? (
      <div class="card empty">
        <p>No workers yet. Upload one and it is live in a moment.</p>
        <p>
          <a class="button" href="/upload">
            Upload your first worker
          </a>
        </p>
      </div>
    ) : (
      <>
        <p>
          <a class="button" href="/upload">
            Upload a worker
          </a>
        </p>
        <div class="table-wrap">
          <table>
            <caption class="skip">Workers</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">URL</th>
                <th scope="col" class="optional">
                  Last updated
                </th>
              </tr>
            </thead>
            <tbody>
              {workers.map((worker) => (
                <tr>
                  <td>
                    <a href={`/workers/${worker.name}`}>{worker.name}</a>
                    {worker.tags && <span class="hint"> {worker.tags.join(' · ')}</span>}
                  </td>
                  <td>
                    <a href={worker.url}>
                      <code>{worker.url}</code>
                    </a>
                  </td>
                  <td class="optional">
                    <time datetime={worker.updatedAt}>{formatTime(worker.updatedAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class="pager">
          {paged && <a href={tag ? `/?${new URLSearchParams({ tag }).toString()}` : '/'}>First page</a>}
          {paged && nextPage && ' · '}
          {nextPage && <a href={nextPage}>Next page →</a>}
        </p>
      </>
    )}
  </Layout>
)

/** The signed-in account's workers: its pages act on them without a token. */
const AccountWorkers: FC<{ workers: { name: string; url: string }[] }> = ({ workers }) =>
  workers.length === 0 ? (
    <div class="card empty" id="account-workers">
      <p>Your account has no workers yet. Upload one: signed in, it is your account’s.</p>
    </div>
  ) : (
    <div class="table-wrap" id="account-workers">
      <table>
        <caption class="skip">Your account’s workers</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">URL</th>
          </tr>
        </thead>
        <tbody>
          {workers.map((worker) => (
            <tr>
              <td>
                <a href={`/workers/${worker.name}`}>{worker.name}</a>
              </td>
              <td>
                <a href={worker.url}>
                  <code>{worker.url}</code>
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
