import type { FC } from 'hono/jsx'
import { formatBytes, formatTime } from '../lib/format'
import { currentDeployment } from '../deploy/deployments'
import type { WorkerRecord, WorkerSettings } from '../core/model'
import { FormError, TokenSubmit, type FormRefusal } from './worker-forms'

export interface WorkerDeploymentsProps {
  record: WorkerRecord
  /** Where each retained deployment is previewed, by Worker ID (see core/urls.ts). */
  previews: Record<string, { url: string; siteUrl?: string }>
  /** What the serving deployment runs with: whether its worker has databases. */
  settings: WorkerSettings
  formError?: FormRefusal | undefined
  tokenless: boolean
}

/** The worker page's deployments: each with its preview, and the promote form (a rollback is a promote). */
export const WorkerDeployments: FC<WorkerDeploymentsProps> = ({ record, previews, settings, formError, tokenless }) => {
  const current = currentDeployment(record)
  return (
    <>
      <h2 id="history-heading">Deployments</h2>
      <p class="hint">Each deployment keeps its own preview URL while it is retained, whichever one the name serves.</p>
      {(settings.storage?.sql || (settings.storage?.d1Databases?.length ?? 0) > 0) && (
        <p class="hint">
          They all share the worker’s databases: a D1 migration a deploy applies changes the schema under every
          deployment here, candidates, previews and rollbacks included.
        </p>
      )}
      <FormError form="promote" error={formError} />
      <form method="post" action={`/workers/${record.name}/promote`} aria-labelledby="history-heading">
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Deployment</th>
                <th scope="col">Preview</th>
                <th scope="col">Uploaded</th>
                <th scope="col" class="optional">
                  Size
                </th>
                <th scope="col" class="optional">
                  SHA-256
                </th>
              </tr>
            </thead>
            <tbody>
              {record.deployments.map((deployment) => {
                const isCurrent = deployment.workerId === record.workerId
                // Newer than what serves: uploaded without promoting.
                const isCandidate = !isCurrent && (current === undefined || deployment.sequence > current.sequence)
                const id = `deployment-${deployment.workerId}`
                const preview = previews[deployment.workerId]
                return (
                  <tr>
                    <td>
                      {isCurrent ? (
                        <strong>{deployment.label} (serving)</strong>
                      ) : (
                        <>
                          <input type="radio" name="deployment" id={id} value={deployment.workerId} required />{' '}
                          <label for={id} class="inline">
                            {deployment.label}
                            {isCandidate && ' (candidate)'}
                          </label>
                        </>
                      )}
                      <br />
                      <code class="small">{deployment.workerId}</code>
                    </td>
                    <td>
                      {preview && (
                        <a href={preview.siteUrl ?? preview.url} aria-label={`Preview ${deployment.label}`}>
                          Preview
                        </a>
                      )}
                    </td>
                    <td>
                      <time datetime={deployment.createdAt}>{formatTime(deployment.createdAt)}</time>
                    </td>
                    <td class="optional">{formatBytes(deployment.size)}</td>
                    <td class="optional">
                      <code class="small">{deployment.sha256.slice(0, 12)}</code>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
        {record.deployments.length > 1 && (
          <div class="card actions-card">
            <TokenSubmit id="promote-token" tokenless={tokenless}>
              <button type="submit">Promote the selected deployment</button>
            </TokenSubmit>
            <p class="hint">
              It serves at once: a candidate goes live, or an earlier version comes back (a rollback). To serve it to a
              share of visitors first, use the <a href="#rollout-heading">gradual rollout</a>.
            </p>
          </div>
        )}
      </form>
    </>
  )
}
