import type { FC } from 'hono/jsx'
import type { BackendKind } from '../config'
import { formatBytes } from '../platform/bundle'
import type { WorkerRecord } from '../platform/registry'
import { formatTime } from './home'
import { Layout } from './layout'

export interface WorkerProps {
  backend: BackendKind
  record: WorkerRecord
  /** Absolute URL the worker is served at. */
  url: string
  /** True right after a successful upload. */
  deployed: boolean
  /** The deploy token of a name just claimed: shown on this page only, once. */
  token?: string
  /** The one-time token link was already used (page reloaded) or expired. */
  tokenExpired?: boolean
  /** Why the last delete attempt was refused. */
  deleteError?: string
}

export const WorkerPage: FC<WorkerProps> = ({ backend, record, url, deployed, token, tokenExpired, deleteError }) => (
  <Layout title={record.name} backend={backend}>
    {deployed && (
      <div class="alert success" role="status">
        <strong>Deployed.</strong> Your worker is live at <a href={url}>{url}</a>
      </div>
    )}
    {token && (
      <section class="alert token" aria-labelledby="token-heading">
        <h2 id="token-heading">Save your deploy token now</h2>
        <p>
          It is shown only this once. You need it to update or delete <strong>{record.name}</strong>; the platform keeps
          only a hash of it and cannot show it again.
        </p>
        <p>
          <label for="deploy-token">Deploy token</label>
          <input id="deploy-token" type="text" readonly value={token} class="secret" />
        </p>
      </section>
    )}
    {tokenExpired && (
      <div class="alert" role="status">
        The deploy token was shown once already and is not displayed again.
      </div>
    )}
    <h1>{record.name}</h1>
    <div class="card">
      <dl>
        <dt>URL</dt>
        <dd>
          <a href={url}>{url}</a>
        </dd>
        <dt>Worker ID</dt>
        <dd>
          <code>{record.workerId}</code>
        </dd>
        <dt>Last updated</dt>
        <dd>
          <time datetime={record.updatedAt}>{formatTime(record.updatedAt)}</time>
        </dd>
        <dt>Size</dt>
        <dd>{formatBytes(record.size)}</dd>
        <dt>SHA-256</dt>
        <dd>
          <code>{record.sha256}</code>
        </dd>
      </dl>
    </div>
    <h2>Call it</h2>
    <pre class="code">
      <code>{`curl ${url}`}</code>
    </pre>
    <p>
      <a href={`/upload?name=${record.name}`}>Upload a new version</a> · <a href="/">All workers</a>
    </p>
    <h2 id="delete-heading">Delete</h2>
    {deleteError && (
      <div class="alert error" role="alert">
        {deleteError}
      </div>
    )}
    <form class="card" method="post" action={`/workers/${record.name}/delete`} aria-labelledby="delete-heading">
      <p>Removes the worker and all its code. The name becomes free for anyone.</p>
      <label for="delete-token">Deploy token</label>
      <input type="password" id="delete-token" name="token" required autocomplete="off" spellcheck={false} />
      <div class="actions">
        <button type="submit" class="danger">
          Delete {record.name}
        </button>
      </div>
    </form>
  </Layout>
)
