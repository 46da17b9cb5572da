import type { FC } from 'hono/jsx'
import type { BackendKind } from '../core/model'
import { MAX_NAME_LENGTH, NAME_PATTERN } from '../core/names'
import { Layout } from './layout'

export interface SignInProps {
  backend: BackendKind
  /** The worker's name, as typed or asked for (`?worker=`): a deploy token signs in for it. */
  worker: string
  /** Why the last attempt was refused (the token is never sent back). */
  error?: string
  /** How long a session lasts. */
  sessionMs: number
}

/**
 * Signing in to the console with an API token (the account's workers) or a deploy token (that
 * worker): the pages then act without token fields.
 */
export const SignInPage: FC<SignInProps> = ({ backend, worker, error, sessionMs }) => (
  <Layout title="Sign in" backend={backend} current="signin" signedIn={null}>
    <h1>Sign in</h1>
    <p class="lead">
      Sign in with an API token of your account (<code>at_…</code>), or with a worker’s deploy token (<code>dt_…</code>)
      and its name: the console then lists your workers and acts on them without asking for a token in each form, for{' '}
      {hours(sessionMs)} or until you sign out. Revoking the API token, or rotating the deploy token, ends the session
      at once.
    </p>
    <form class="card" method="post" action="/signin" aria-labelledby="signin-heading">
      <h2 id="signin-heading" class="skip">
        Sign in with a token
      </h2>
      <label for="signin-token">API token or deploy token</label>
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
      <label for="signin-worker">
        Worker name{' '}
        <span class="hint">
          — with a deploy token, the worker it is for; with an API token, a page to open (optional)
        </span>
      </label>
      <input
        type="text"
        id="signin-worker"
        name="worker"
        value={worker}
        pattern={NAME_PATTERN}
        maxlength={MAX_NAME_LENGTH}
        autocomplete="off"
        spellcheck={false}
      />
      <div class="actions">
        <button type="submit">Sign in</button>
      </div>
    </form>
    <p class="hint">
      No account yet? <a href="/signup">Create one</a> (or <code>POST /api/accounts</code>): it comes with its first API
      token.
    </p>
  </Layout>
)

function hours(ms: number): string {
  const count = Math.round(ms / 3_600_000)
  return `${count} hour${count === 1 ? '' : 's'}`
}
