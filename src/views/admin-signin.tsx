import type { FC } from 'hono/jsx'
import type { BackendKind } from '../core/model'
import { formatDuration } from '../lib/format'
import { ADMIN_SESSION_TTL_MS } from '../operators/admin-sessions'
import { Layout } from './layout'

/** The admin page signed out: one form for ADMIN_TOKEN, which opens an admin session. */
export const AdminSignInPage: FC<{ backend: BackendKind; next: string; error?: string | undefined }> = ({
  backend,
  next,
  error,
}) => (
  <Layout title="Admin sign in" backend={backend}>
    <h1>Admin</h1>
    <p class="lead">
      For the platform's operator: workers and accounts, their status, use and budgets; suspend, resume and delete. Sign
      in with <code>ADMIN_TOKEN</code>; the session lasts {formatDuration(ADMIN_SESSION_TTL_MS)}, and changing{' '}
      <code>ADMIN_TOKEN</code> ends every session at once.
    </p>
    {error && (
      <div class="alert error" role="alert">
        {error}
      </div>
    )}
    <form class="card" method="post" action="/admin/signin" aria-labelledby="admin-signin-heading">
      <h2 id="admin-signin-heading">Sign in as the operator</h2>
      <input type="hidden" name="next" value={next} />
      <label for="admin-signin-token">Admin token</label>
      <input type="password" id="admin-signin-token" name="token" required autocomplete="off" spellcheck={false} />
      <div class="actions">
        <button type="submit">Sign in</button>
      </div>
    </form>
  </Layout>
)
