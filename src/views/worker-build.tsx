import type { FC } from 'hono/jsx'
import type { BuildSummary } from '../core/model'
import { formatBytes } from '../lib/format'

/** What went into a built project: shown so its owner can see exactly what runs. */
export const BuildDetails: FC<{ build: BuildSummary }> = ({ build }) => {
  const dependencies = Object.entries(build.dependencies)
  return (
    <section aria-labelledby="build-heading">
      <h2 id="build-heading">Build</h2>
      <div class="card">
        <dl>
          <dt>Worker</dt>
          <dd>{build.hasWorker ? 'built from the project' : 'none: a static site'}</dd>
          <dt>Static assets</dt>
          <dd>
            {build.assets.count} files, {formatBytes(build.assets.bytes)}
          </dd>
          <dt>Dependencies</dt>
          <dd>
            {dependencies.length === 0
              ? 'none'
              : dependencies.map(([name, version]) => `${name}@${version}`).join(', ')}
          </dd>
          <dt>Files</dt>
          <dd>{build.files.length === 0 ? 'none' : build.files.join(', ')}</dd>
        </dl>
        {build.warnings.length > 0 && (
          <div class="alert notice" role="status">
            <strong>Build warnings</strong>
            <ul>
              {build.warnings.map((warning) => (
                <li>{warning}</li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </section>
  )
}
