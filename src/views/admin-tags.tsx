import type { Child, FC } from 'hono/jsx'
import type { BackendKind } from '../core/model'
import type { TaggedDeletes } from '../operators/tagged-deletes'
import { MAX_TAGGED_DELETES } from '../operators/tagged-deletes'
import { AdminLayout } from './admin-layout'
import { Layout } from './layout'

export interface AdminTagsProps {
  backend: BackendKind
  /** In an admin session: its navigation, and no token fields (the session is the proof). */
  signedIn: boolean
  tag: string
  /** The workers the tag is on, once found (the confirmation step). */
  found?: string[]
  /** What the delete did (the last step). */
  result?: TaggedDeletes
  error?: string
}

/** Delete by tag, for the platform's operator: find the workers, confirm their count, see what was deleted. */
export const AdminTagsPage: FC<AdminTagsProps> = ({ backend, signedIn, tag, found, result, error }) => {
  const Frame = signedIn ? AdminFrame : SignedOutFrame
  return (
    <Frame backend={backend}>
      <h1>Delete workers by tag</h1>
      <p class="lead">
        For the platform's operator (<code>ADMIN_TOKEN</code>). Each worker is deleted as its owner would delete it: its
        code, data, Durable Objects and custom domains go with it. At most {MAX_TAGGED_DELETES} at a time.
      </p>
      {error && (
        <div class="alert error" role="alert">
          {error}
        </div>
      )}
      {result ? (
        <Result tag={tag} result={result} />
      ) : found ? (
        <Confirm tag={tag} found={found} signedIn={signedIn} />
      ) : (
        <form class="card" method="post" action="/admin/tags" aria-labelledby="find-heading">
          <h2 id="find-heading">Find the workers</h2>
          <label for="admin-tag">Tag</label>
          <input type="text" id="admin-tag" name="tag" value={tag} required autocomplete="off" spellcheck={false} />
          {!signedIn && <TokenField id="admin-token" />}
          <div class="actions">
            <button type="submit">Find workers</button>
          </div>
        </form>
      )}
    </Frame>
  )
}

const AdminFrame: FC<{ backend: BackendKind; children: Child }> = ({ backend, children }) => (
  <AdminLayout title="Delete by tag" backend={backend} current="tags">
    {children}
  </AdminLayout>
)

// Signed out the page still works, with the token typed into each form; it says where to sign in.
const SignedOutFrame: FC<{ backend: BackendKind; children: Child }> = ({ backend, children }) => (
  <Layout title="Delete by tag" backend={backend} signedIn={null}>
    <p>
      <a href="/admin">Sign in to the admin page</a> to act without typing the token each time.
    </p>
    {children}
  </Layout>
)

const TokenField: FC<{ id: string }> = ({ id }) => (
  <>
    <label for={id}>Admin token</label>
    <input type="password" id={id} name="token" required autocomplete="off" spellcheck={false} />
  </>
)

const Confirm: FC<{ tag: string; found: string[]; signedIn: boolean }> = ({ tag, found, signedIn }) =>
  found.length === 0 ? (
    <p>
      No worker is tagged <code>{tag}</code>. <a href="/admin/tags">Try another tag</a>.
    </p>
  ) : (
    <form class="card" method="post" action="/admin/tags/delete" aria-labelledby="confirm-heading">
      <h2 id="confirm-heading">
        Delete {found.length} worker{found.length === 1 ? '' : 's'} tagged <code>{tag}</code>?
      </h2>
      <ul>
        {found.map((name) => (
          <li>
            <a href={`/workers/${name}`}>{name}</a>
          </li>
        ))}
      </ul>
      <input type="hidden" name="tag" value={tag} />
      <input type="hidden" name="count" value={String(found.length)} />
      <label class="inline">
        <input type="checkbox" name="understood" value="yes" required /> I understand that these workers and all their
        data are deleted for good.
      </label>
      {!signedIn && <TokenField id="confirm-token" />}
      <div class="actions">
        <button type="submit" class="danger">
          Delete {found.length} worker{found.length === 1 ? '' : 's'}
        </button>
        <a href="/admin/tags">Cancel</a>
      </div>
    </form>
  )

const Result: FC<{ tag: string; result: TaggedDeletes }> = ({ tag, result }) => (
  <section class="card" aria-labelledby="done-heading">
    <h2 id="done-heading">
      Deleted {result.deleted.length} worker{result.deleted.length === 1 ? '' : 's'} tagged <code>{tag}</code>
    </h2>
    {result.deleted.length > 0 && <p>{result.deleted.join(', ')}</p>}
    {result.failed.length > 0 && (
      <div class="alert error" role="alert">
        Not deleted:{' '}
        {result.failed.map(({ name, message }) => (
          <>
            {name} ({message}){' '}
          </>
        ))}
      </div>
    )}
    <p>
      <a href="/admin/tags">Delete by another tag</a>
    </p>
  </section>
)
