import type { FC } from 'hono/jsx'
import type { BackendKind } from '../core/model'
import { Layout } from './layout'

export const DeletedPage: FC<{ backend: BackendKind; name: string; signedIn?: { label: string } | null }> = ({
  backend,
  name,
  signedIn,
}) => (
  <Layout title={`${name} deleted`} backend={backend} signedIn={signedIn}>
    <div class="alert success" role="status">
      <strong>Deleted.</strong> The worker “{name}” and its code are gone, and the name is free again.
    </div>
    <p>
      <a href="/">All workers</a> · <a href="/upload">Upload a worker</a>
    </p>
  </Layout>
)
