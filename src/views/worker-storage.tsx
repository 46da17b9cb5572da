import type { FC } from 'hono/jsx'
import type { WorkerSettings } from '../core/model'
import { formatBytes } from '../lib/format'
import type { StorageUsage } from '../storage/database.do'
import { DB_BINDING, KV_BINDING } from '../storage/refs'
import type { WorkerStorageUsage } from '../storage/tenant-data'
import { TableCard } from './table-card'

/**
 * The worker page's Storage section: env.KV and env.DB, then each store a project declared, with
 * the bindings that name it now (or none: it left the config and keeps its data until the worker
 * is deleted), what it keeps, and where its owner exports it; then its Durable Object namespaces.
 */
export const WorkerStorage: FC<{ name: string; usage: WorkerStorageUsage; settings: WorkerSettings }> = (props) => {
  const { name, usage, settings } = props
  return (
    <TableCard id="storage-heading" title="Storage" columns={['Binding', 'Keeps', 'Export (owner)']}>
      {[
        { binding: KV_BINDING, kind: 'kv', shown: settings.storage?.kv || usage.own.kv.keys > 0 },
        { binding: DB_BINDING, kind: 'sql', shown: settings.storage?.sql || usage.own.sql.tables > 0 },
      ].map(
        ({ binding, kind, shown }) =>
          shown && (
            <tr>
              <td>
                <code>env.{binding}</code>
              </td>
              <td>{kind === 'kv' ? kvText(usage.own) : sqlText(usage.own)}</td>
              <td>
                <code>
                  GET /api/workers/{name}/data/{kind}
                </code>
              </td>
            </tr>
          ),
      )}
      {usage.declared.map(({ store, bindings, usage: kept }) => (
        <tr>
          <td>
            {bindings.length === 0
              ? `store "${decodeURIComponent(store)}", no longer bound`
              : bindings.map(({ binding, kind }) => (
                  <>
                    <code>env.{binding}</code> ({kind === 'kv' ? 'KV' : 'D1'}){' '}
                  </>
                ))}
          </td>
          <td>
            {kvText(kept)}; {sqlText(kept)}
          </td>
          <td>
            <code>
              GET /api/workers/{name}/data/kv?store={store}
            </code>{' '}
            or <code>…/data/sql?store={store}</code>
          </td>
        </tr>
      ))}
      {usage.objects.map(({ namespace, binding, objects }) => (
        <tr>
          <td>
            {binding ? (
              <>
                <code>env.{binding.binding}</code> (Durable Object, class <code>{binding.className}</code>)
              </>
            ) : (
              `Durable Object namespace "${namespace}", no longer bound`
            )}
          </td>
          <td>{objects === 1 ? '1 object' : `${objects} objects`}</td>
          <td>—</td>
        </tr>
      ))}
    </TableCard>
  )
}

function kvText({ kv }: StorageUsage): string {
  return `${kv.keys} keys, ${formatBytes(kv.bytes)}`
}

function sqlText({ sql }: StorageUsage): string {
  return `${sql.tables} tables, ${formatBytes(sql.bytes)}`
}
