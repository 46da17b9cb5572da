import type { FC } from 'hono/jsx'
import { AUDIT_ACTIONS, type AuditEvent } from '../audit/audit-events'
import type { BackendKind } from '../core/model'
import { AdminLayout } from './admin-layout'
import { AuditEntries } from './audit-log'

export interface AdminAuditProps {
  backend: BackendKind
  /** The filter as typed (kept when the page answers). */
  filter: { name: string; account: string; action: string }
  events: AuditEvent[]
}

/** The operator's audit trail: every worker's and account's changes, filtered by worker, account or action. */
export const AdminAuditPage: FC<AdminAuditProps> = ({ backend, filter, events }) => {
  const query = new URLSearchParams(Object.entries(filter).filter(([, value]) => value !== '')).toString()
  return (
    <AdminLayout title="Audit log" backend={backend} current="audit">
      <h1>Audit log</h1>
      <p class="lead">
        Every change to every worker and account: who made it and from where. A deleted worker leaves only the entry
        saying who deleted it.
      </p>
      <form class="card" method="get" action="/admin/audit" role="search" aria-label="Filter the audit log">
        <label for="audit-name">Worker</label>
        <input type="text" id="audit-name" name="name" value={filter.name} autocomplete="off" spellcheck={false} />
        <label for="audit-account">Account ID</label>
        <input type="text" id="audit-account" name="account" value={filter.account} autocomplete="off" />
        <label for="audit-action">Action</label>
        <select id="audit-action" name="action">
          <option value="">Any</option>
          {AUDIT_ACTIONS.map((action) => (
            <option value={action} selected={action === filter.action}>
              {action}
            </option>
          ))}
        </select>
        <div class="actions">
          <button type="submit">Filter</button>
        </div>
      </form>
      <AuditEntries
        title="Changes, newest first"
        path={query ? `/admin/audit?${query}` : '/admin/audit'}
        events={events}
        showWorker
      />
    </AdminLayout>
  )
}
