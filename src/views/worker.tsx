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
}

export const WorkerPage: FC<WorkerProps> = ({ backend, record, url, deployed }) => (
  <Layout title={record.name} backend={backend}>
    {deployed && (
      <div class="alert success" role="status">
        <strong>Deployed.</strong> Your worker is live at <a href={url}>{url}</a>
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
  </Layout>
)
