import type { FC } from 'hono/jsx'
import { TableCard } from './table-card'
import type { AccountView } from '../accounts/account.do'
import type { IssuedToken } from '../accounts/accounts'
import { MAX_LABEL_LENGTH, MAX_TOKENS_PER_ACCOUNT } from '../accounts/tokens'
import type { BackendKind } from '../core/model'
import { formatTime } from '../lib/format'
import { Layout } from './layout'

/** A form's refusal and what was typed, kept for the page that shows it again. */
interface Refused {
  error?: string
  /** The name typed into the form, shown again (never a token). */
  typed?: string
}

/** Creating an account: its name; the answer signs in and shows the first API token once. */
export const SignUpPage: FC<{ backend: BackendKind } & Refused> = ({ backend, error, typed }) => (
  <Layout title="Create an account" backend={backend} current="signup" signedIn={null}>
    <h1>Create an account</h1>
    <p class="lead">
      An account owns workers and the API tokens that manage them: one token for the console, CI, wrangler or a script.
      You are signed in at once, and the first API token is shown once on the next page.
    </p>
    <form class="card" method="post" action="/signup" aria-labelledby="signup-heading">
      <h2 id="signup-heading" class="skip">
        Account details
      </h2>
      <NameField id="account-name" label="Account name" typed={typed} error={error} />
      <div class="actions">
        <button type="submit">Create account</button>
      </div>
    </form>
    <p class="hint">
      Already have a token? <a href="/signin">Sign in</a>.
    </p>
  </Layout>
)

export interface AccountPageProps extends Refused {
  backend: BackendKind
  account: AccountView
  signedIn: { label: string; account: boolean }
  /** A token just issued (at sign-up or with the form): its value, shown this once. */
  issued?: IssuedToken
  /** The token just revoked, for the notice. */
  revoked?: string
}

/** The signed-in account: its tokens (issue, revoke) and its workers. */
export const AccountPage: FC<AccountPageProps> = (props) => {
  const { account, issued } = props
  const live = account.tokens.filter((token) => !token.revokedAt)
  return (
    <Layout title="Account" backend={props.backend} current="account" signedIn={props.signedIn}>
      {account.suspended && (
        <div class="alert error" role="alert">
          <strong>Suspended</strong> by the platform's operator since{' '}
          <time datetime={account.suspended.at}>{formatTime(account.suspended.at)}</time>: {account.suspended.reason}.
          Its workers are suspended and it cannot create new ones until an admin resumes it.
        </div>
      )}
      {issued && (
        <section class="alert token" aria-labelledby="issued-heading">
          <h2 id="issued-heading">Save your API token now</h2>
          <p>
            “{issued.name}” is shown only this once: the platform keeps only a hash of it. It signs in here, and works
            as <code>Authorization: Bearer</code> for every worker of the account.
          </p>
          <label for="issued-token">API token</label>
          <textarea id="issued-token" class="secret" readonly rows={2}>
            {issued.value}
          </textarea>
          <button type="button" class="secondary" data-copy="#issued-token" hidden>
            Copy token
          </button>
        </section>
      )}
      {props.revoked && (
        <div class="alert success" role="status">
          <strong>Revoked.</strong> Token {props.revoked} is refused from now on, and its sessions have ended.
        </div>
      )}
      <h1>{account.name}</h1>
      <p class="hint">
        Account <code>{account.accountId}</code>, created{' '}
        <time datetime={account.createdAt}>{formatTime(account.createdAt)}</time>.
      </p>

      <TableCard id="tokens-heading" title="API tokens" columns={['Name', 'Created', 'Last used', 'State']}>
        {account.tokens.map((token) => (
          <tr>
            <td>
              {token.name} <code class="hint">{token.id}</code>
            </td>
            <td>{formatTime(token.createdAt)}</td>
            <td>{token.lastUsedAt ? formatTime(token.lastUsedAt) : 'never'}</td>
            <td>
              {token.revokedAt ? (
                `revoked ${formatTime(token.revokedAt)}`
              ) : (
                <form method="post" action={`/account/tokens/${token.id}/revoke`} class="inline">
                  <button type="submit" class="secondary" aria-label={`Revoke ${token.name} (${token.id})`}>
                    Revoke
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </TableCard>
      <h2 id="new-token-heading">New API token</h2>
      <form class="card" method="post" action="/account/tokens" aria-labelledby="new-token-heading">
        <NameField id="token-name" label="What it is for" typed={props.typed} error={props.error} />
        <p class="hint">
          {live.length} of {MAX_TOKENS_PER_ACCOUNT} live tokens. Revoking the one you signed in with signs you out.
        </p>
        <div class="actions">
          <button type="submit">Create token</button>
        </div>
      </form>

      <h2 id="account-workers-heading">Workers</h2>
      {account.workers.length === 0 ? (
        <p class="hint">
          None yet: <a href="/upload">upload one</a>; signed in, a new name becomes the account’s.
        </p>
      ) : (
        <ul class="card" aria-labelledby="account-workers-heading">
          {account.workers.map((name) => (
            <li>
              <a href={`/workers/${name}`}>{name}</a>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  )
}

const NameField: FC<{ id: string; label: string; typed?: string; error?: string }> = ({ id, label, typed, error }) => (
  <>
    <label for={id}>{label}</label>
    <input
      type="text"
      id={id}
      name="name"
      value={typed ?? ''}
      required
      maxlength={MAX_LABEL_LENGTH}
      autocomplete="off"
      aria-invalid={error ? 'true' : undefined}
      aria-describedby={error ? `${id}-error` : undefined}
    />
    {error && (
      <div class="alert error" id={`${id}-error`} role="alert">
        {error}
      </div>
    )}
  </>
)
