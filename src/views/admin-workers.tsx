import type { FC } from 'hono/jsx'
import type { BackendKind } from '../core/model'
import { MAX_SEARCH_PAGES, type WorkerRow, type WorkerRows } from '../operators/directory'
import { LIST_PAGE_SIZE } from '../names/workers'
import { AdminAlert, AdminLayout } from './admin-layout'
import { TableCard } from './table-card'

export interface AdminWorkersProps {
  backend: BackendKind
  /** The search as typed (kept in the form). */
  name: string
  tag: string
  list: WorkerRows
  /** The link to the next page (or the search's next stretch of the list), when there is one. */
  nextPage?: string | undefined
  notice?: string | undefined
}

/** The operator's worker list: search by name or tag, status, tags, account, today's use and budget. */
export const AdminWorkersPage: FC<AdminWorkersProps> = ({ backend, name, tag, list, nextPage, notice }) => {
  const searching = name !== '' || tag !== ''
  return (
    <AdminLayout title="Admin · Workers" backend={backend} current="workers">
      <h1>Workers</h1>
      <AdminAlert notice={notice} />
      <form class="card" method="get" action="/admin" role="search" aria-labelledby="admin-search-heading">
        <h2 id="admin-search-heading">Search</h2>
        <label for="admin-search-name">Name contains</label>
        <input type="text" id="admin-search-name" name="q" value={name} autocomplete="off" spellcheck={false} />
        <label for="admin-search-tag">Tag</label>
        <input type="text" id="admin-search-tag" name="tag" value={tag} autocomplete="off" spellcheck={false} />
        <div class="actions">
          <button type="submit">Search</button>
          {searching && <a href="/admin">Show all</a>}
        </div>
        <p class="hint">
          A search reads up to {(MAX_SEARCH_PAGES * LIST_PAGE_SIZE).toLocaleString('en-US')} names of the list per page;
          "Search further" goes on from there.
        </p>
      </form>
      {list.workers.length > 0 ? (
        <TableCard
          id="admin-workers-heading"
          title={searching ? 'Found' : 'All workers'}
          columns={['Name', 'Status', 'Tags', 'Account', 'Today', 'Budget', 'Worker page']}
          optional={['Tags', 'Account', 'Budget', 'Worker page']}
        >
          {list.workers.map((row) => (
            <Row row={row} />
          ))}
        </TableCard>
      ) : (
        <p class="empty">{searching ? `No worker found in the ${list.scanned} names read.` : 'No workers yet.'}</p>
      )}
      {nextPage && (
        <p class="pager">
          <a href={nextPage}>{searching ? 'Search further' : 'Next page'}</a>
        </p>
      )}
    </AdminLayout>
  )
}

const Row: FC<{ row: WorkerRow }> = ({ row }) => (
  <tr>
    <td>
      <a href={`/admin/workers/${row.name}`}>{row.name}</a>
    </td>
    <td>
      <WorkerStatus row={row} />
    </td>
    <td class="optional">
      {row.tags.map((tag, index) => (
        <>
          {index > 0 && ', '}
          <a href={`/admin?${new URLSearchParams({ tag }).toString()}`}>{tag}</a>
        </>
      ))}
    </td>
    <td class="optional">{row.account ? <a href={`/admin/accounts/${row.account}`}>{row.account}</a> : '—'}</td>
    <td>
      <Today row={row} />
    </td>
    <td class="optional">
      <BudgetUse row={row} />
    </td>
    <td class="optional">
      <a href={`/workers/${row.name}`} aria-label={`Worker page of ${row.name}`}>
        Worker page
      </a>
    </td>
  </tr>
)

/** Serving, or suspended with why (and whether its account's suspension did it). */
export const WorkerStatus: FC<{ row: WorkerRow }> = ({ row }) =>
  row.suspended ? (
    <>
      <strong>Suspended</strong>
      {row.suspended.scope === 'account' ? ' with its account' : ''}: {row.suspended.reason}
    </>
  ) : (
    <>Serving</>
  )

export const Today: FC<{ row: WorkerRow }> = ({ row }) =>
  row.today ? (
    <>
      {row.today.requests} requests, {row.today.errors} errors
    </>
  ) : (
    <>—</>
  )

/** The daily budget and how much of it is used today. */
export const BudgetUse: FC<{ row: WorkerRow }> = ({ row }) =>
  row.budget ? (
    <>
      {row.today ? `${row.today.requests} of ` : ''}
      {row.budget.requestsPerDay} a day{row.budget.own ? '' : ' (default)'}
    </>
  ) : (
    <>None</>
  )
