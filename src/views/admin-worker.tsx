import type { FC } from 'hono/jsx'
import type { BackendKind } from '../core/model'
import { formatTime } from '../lib/format'
import { MAX_REASON_CHARS, type WorkerRow } from '../operators/directory'
import { AdminAlert, AdminLayout } from './admin-layout'
import { BudgetUse, Today, WorkerStatus } from './admin-workers'

export interface AdminWorkerProps {
  backend: BackendKind
  row: WorkerRow
  notice?: string | undefined
  error?: string | undefined
  /** What was typed into the form that was refused, shown again. */
  typed?: { reason?: string; budget?: string } | undefined
}

/** One worker for the operator: what the list shows, and suspend or resume, its budget, delete. */
export const AdminWorkerPage: FC<AdminWorkerProps> = ({ backend, row, notice, error, typed }) => (
  <AdminLayout title={`Admin · ${row.name}`} backend={backend} current="workers">
    <h1>{row.name}</h1>
    <AdminAlert notice={notice} error={error} />
    <section class="card" aria-labelledby="admin-worker-heading">
      <h2 id="admin-worker-heading">Status</h2>
      <dl>
        <dt>Status</dt>
        <dd>
          <WorkerStatus row={row} />
          {row.suspended && ` (since ${formatTime(row.suspended.at)})`}
        </dd>
        <dt>Tags</dt>
        <dd>{row.tags.length > 0 ? row.tags.join(', ') : '—'}</dd>
        <dt>Account</dt>
        <dd>{row.account ? <a href={`/admin/accounts/${row.account}`}>{row.account}</a> : '—'}</dd>
        <dt>Today (UTC)</dt>
        <dd>
          <Today row={row} />
        </dd>
        <dt>Budget</dt>
        <dd>
          <BudgetUse row={row} />
        </dd>
        <dt>Updated</dt>
        <dd>{formatTime(row.updatedAt)}</dd>
      </dl>
      <p>
        <a href={`/workers/${row.name}`}>The worker page</a>
      </p>
    </section>
    {row.suspended ? (
      <form class="card" method="post" action={`/admin/workers/${row.name}/resume`} aria-labelledby="resume-heading">
        <h2 id="resume-heading">Resume</h2>
        <p>
          It serves, runs its crons and takes its owner's changes again at once
          {row.suspended.scope === 'account' ? '; its account stays suspended' : ''}.
        </p>
        <div class="actions">
          <button type="submit">Resume {row.name}</button>
        </div>
      </form>
    ) : (
      <form class="card" method="post" action={`/admin/workers/${row.name}/suspend`} aria-labelledby="suspend-heading">
        <h2 id="suspend-heading">Suspend</h2>
        <p>It answers 503, and its crons, alarms, tails and owner's changes stop until it is resumed.</p>
        <label for="suspend-reason">Reason (its owner sees it)</label>
        <input
          type="text"
          id="suspend-reason"
          name="reason"
          value={typed?.reason ?? ''}
          required
          maxlength={MAX_REASON_CHARS}
          autocomplete="off"
        />
        <div class="actions">
          <button type="submit" class="danger">
            Suspend {row.name}
          </button>
        </div>
      </form>
    )}
    <form class="card" method="post" action={`/admin/workers/${row.name}/budget`} aria-labelledby="budget-heading">
      <h2 id="budget-heading">Daily request budget</h2>
      <label for="budget-requests">Requests per day</label>
      <p class="hint" id="budget-hint">
        0: no limit; empty: the platform's default.
      </p>
      <input
        type="number"
        id="budget-requests"
        name="requestsPerDay"
        min="0"
        step="1"
        aria-describedby="budget-hint"
        value={typed?.budget ?? (row.budget?.own ? String(row.budget.requestsPerDay) : '')}
      />
      <div class="actions">
        <button type="submit">Set the budget</button>
      </div>
    </form>
    <section class="card" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete</h2>
      <p>Its code, data, Durable Objects and custom domains go with it, as when its owner deletes it.</p>
      <p>
        <a href={`/admin/workers/${row.name}/delete`}>Delete {row.name}…</a>
      </p>
    </section>
  </AdminLayout>
)

/** The confirm step of a delete: the operator types the worker's name. */
export const AdminDeletePage: FC<{ backend: BackendKind; name: string; typed?: string; error?: string }> = ({
  backend,
  name,
  typed,
  error,
}) => (
  <AdminLayout title={`Admin · Delete ${name}`} backend={backend} current="workers">
    <h1>Delete {name}?</h1>
    <AdminAlert error={error} />
    <form class="card" method="post" action={`/admin/workers/${name}/delete`} aria-labelledby="confirm-delete-heading">
      <h2 id="confirm-delete-heading">Delete the worker {name} for good</h2>
      <p>
        Its code, deployments, data, Durable Objects and custom domains are deleted, and the name is free again. This
        cannot be undone.
      </p>
      <label for="confirm-name">Type its name to confirm</label>
      <input
        type="text"
        id="confirm-name"
        name="confirm"
        value={typed ?? ''}
        required
        autocomplete="off"
        spellcheck={false}
      />
      <div class="actions">
        <button type="submit" class="danger">
          Delete {name}
        </button>
        <a href={`/admin/workers/${name}`}>Cancel</a>
      </div>
    </form>
  </AdminLayout>
)
