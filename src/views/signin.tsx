import type { FC } from 'hono/jsx'
import type { BackendKind } from '../core/model'
import { Layout } from './layout'

export interface SignInProps {
  backend: BackendKind
  /** The worker page to go back to after signing in (a valid name), when there is one. */
  worker?: string
  /** Why the last attempt was refused (the token is never sent back). */
  error?: string
  /** How long a session lasts. */
  sessionMs: number
}

/** Signing in to the console with an API token: the pages then act for the account without token fields. */
export const SignInPage: FC<SignInProps> = ({ backend, worker, error, sessionMs }) => (
  <Layout title="Sign in" backend={backend} current="signin" signedIn={null}>
    <h1>Sign in</h1>
    <p class="lead">
      Sign in with an API token of your account (<code>at_…</code>): the console then lists your workers and acts on
      them without asking for a token in each form, for {hours(sessionMs)} or until you sign out. Revoking the token
      ends the session at once.
    </p>
    <form class="card" method="post" action="/signin" aria-labelledby="signin-heading">
      <h2 id="signin-heading" class="skip">
        Sign in with an API token
      </h2>
      {worker && <input type="hidden" name="worker" value={worker} />}
      <label for="signin-token">API token</label>
      <input
        type="password"
        id="signin-token"
        name="token"
        required
        autocomplete="off"
        spellcheck={false}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'signin-error' : undefined}
      />
      {error && (
        <div class="alert error" id="signin-error" role="alert">
          {error}
        </div>
      )}
      <div class="actions">
        <button type="submit">Sign in</button>
      </div>
    </form>
    <p class="hint">
      No account yet? Create one with <code>POST /api/accounts</code>; its answer holds your first API token (see
      docs/accounts.md).
    </p>
  </Layout>
)

function hours(ms: number): string {
  const count = Math.round(ms / 3_600_000)
  return `${count} hour${count === 1 ? '' : 's'}`
}
