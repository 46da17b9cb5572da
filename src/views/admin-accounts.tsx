import type { FC } from 'hono/jsx'
import type { BackendKind } from '../core/model'
import { formatTime } from '../lib/format'
import { MAX_REASON_CHARS, type AccountRow } from '../operators/directory'
import { AdminAlert, AdminLayout } from './admin-layout'
import { TableCard } from './table-card'

/** The operator's account list: name, ID, workers, status. */
export const AdminAccountsPage: FC<{ backend: BackendKind; accounts: AccountRow[]; nextPage?: string | undefined }> = ({
  backend,
  accounts,
  nextPage,
}) => (
  <AdminLayout title="Admin · Accounts" backend={backend} current="accounts">
    <h1>Accounts</h1>
    {accounts.length > 0 ? (
      <TableCard
        id="admin-accounts-heading"
        title="All accounts"
        columns={['Name', 'ID', 'Workers', 'Status', 'Created']}
        optional={['ID', 'Created']}
      >
        {accounts.map((account) => (
          <tr>
            <td>
              <a href={`/admin/accounts/${account.accountId}`}>{account.name}</a>
            </td>
            <td class="optional">
              <code>{account.accountId}</code>
            </td>
            <td>{account.workers.length}</td>
            <td>
              <AccountStatus account={account} />
            </td>
            <td class="optional">{formatTime(account.createdAt)}</td>
          </tr>
        ))}
      </TableCard>
    ) : (
      <p class="empty">No accounts yet.</p>
    )}
    {nextPage && (
      <p class="pager">
        <a href={nextPage}>Next page</a>
      </p>
    )}
  </AdminLayout>
)

const AccountStatus: FC<{ account: AccountRow }> = ({ account }) =>
  account.suspended ? (
    <>
      <strong>Suspended</strong>: {account.suspended.reason}
    </>
  ) : (
    <>Active</>
  )

export interface AdminAccountProps {
  backend: BackendKind
  account: AccountRow
  notice?: string | undefined
  error?: string | undefined
  /** The reason typed into a refused suspend, shown again. */
  reason?: string | undefined
  /** The budget typed into a refused change, shown again. */
  budget?: string | undefined
}

/** One account for the operator: its workers, and suspend or resume (with every worker it has). */
export const AdminAccountPage: FC<AdminAccountProps> = ({ backend, account, notice, error, reason, budget }) => (
  <AdminLayout title={`Admin · ${account.name}`} backend={backend} current="accounts">
    <h1>{account.name}</h1>
    <AdminAlert notice={notice} error={error} />
    <section class="card" aria-labelledby="admin-account-heading">
      <h2 id="admin-account-heading">Account</h2>
      <dl>
        <dt>ID</dt>
        <dd>
          <code>{account.accountId}</code>
        </dd>
        <dt>Status</dt>
        <dd>
          <AccountStatus account={account} />
          {account.suspended && ` (since ${formatTime(account.suspended.at)})`}
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(account.createdAt)}</dd>
        <dt>Workers</dt>
        <dd>
          {account.workers.length === 0
            ? 'None'
            : account.workers.map((name, index) => (
                <>
                  {index > 0 && ', '}
                  <a href={`/admin/workers/${name}`}>{name}</a>
                </>
              ))}
        </dd>
        {account.budget && (
          <>
            <dt>Daily request budget</dt>
            <dd>
              {account.budget.requestsPerDay === null
                ? 'No limit'
                : `${account.budget.requestsPerDay} requests a day (UTC) across its workers`}
              {account.budget.own ? ' (its own)' : ' (the platform’s default)'}; leased today:{' '}
              {account.budget.leasedToday}
            </dd>
          </>
        )}
      </dl>
    </section>
    <form
      class="card"
      method="post"
      action={`/admin/accounts/${account.accountId}/budget`}
      aria-labelledby="account-budget-heading"
    >
      <h2 id="account-budget-heading">Daily request budget of the account</h2>
      <label for="account-budget-requests">Requests per day, all its workers together</label>
      <p class="hint" id="account-budget-hint">
        0: no limit; empty: the platform's default. Each worker's own budget applies too.
      </p>
      <input
        type="number"
        id="account-budget-requests"
        name="requestsPerDay"
        min="0"
        step="1"
        aria-describedby="account-budget-hint"
        value={budget ?? (account.budget?.own ? String(account.budget.requestsPerDay ?? 0) : '')}
      />
      <div class="actions">
        <button type="submit">Set the account's budget</button>
      </div>
    </form>
    {account.suspended ? (
      <form
        class="card"
        method="post"
        action={`/admin/accounts/${account.accountId}/resume`}
        aria-labelledby="resume-account-heading"
      >
        <h2 id="resume-account-heading">Resume</h2>
        <p>It may create workers again, and the workers its suspension stopped are resumed.</p>
        <div class="actions">
          <button type="submit">Resume {account.name}</button>
        </div>
      </form>
    ) : (
      <form
        class="card"
        method="post"
        action={`/admin/accounts/${account.accountId}/suspend`}
        aria-labelledby="suspend-account-heading"
      >
        <h2 id="suspend-account-heading">Suspend</h2>
        <p>It may not create workers, and each of its workers is suspended until the account is resumed.</p>
        <label for="suspend-account-reason">Reason (its owner sees it)</label>
        <input
          type="text"
          id="suspend-account-reason"
          name="reason"
          value={reason ?? ''}
          required
          maxlength={MAX_REASON_CHARS}
          autocomplete="off"
        />
        <div class="actions">
          <button type="submit" class="danger">
            Suspend {account.name}
          </button>
        </div>
      </form>
    )}
  </AdminLayout>
)
