import type { FC } from 'hono/jsx'
import type { BackendKind } from '../core/model'
import type { TaggedDeletes } from '../operators/tagged-deletes'
import { MAX_TAGGED_DELETES } from '../operators/tagged-deletes'
import { Layout } from './layout'

export interface AdminTagsProps {
  backend: BackendKind
  tag: string
  /** The workers the tag is on, once found (the confirmation step). */
  found?: string[]
  /** What the delete did (the last step). */
  result?: TaggedDeletes
  error?: string
}

/** Delete by tag, for the platform's operator: find the workers, confirm their count, see what was deleted. */
export const AdminTagsPage: FC<AdminTagsProps> = ({ backend, tag, found, result, error }) => (
  <Layout title="Delete by tag" backend={backend} signedIn={null}>
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
      <Confirm tag={tag} found={found} />
    ) : (
      <form class="card" method="post" action="/admin/tags" aria-labelledby="find-heading">
        <h2 id="find-heading">Find the workers</h2>
        <label for="admin-tag">Tag</label>
        <input type="text" id="admin-tag" name="tag" value={tag} required autocomplete="off" spellcheck={false} />
        <label for="admin-token">Admin token</label>
        <input type="password" id="admin-token" name="token" required autocomplete="off" spellcheck={false} />
        <div class="actions">
          <button type="submit">Find workers</button>
        </div>
      </form>
    )}
  </Layout>
)

const Confirm: FC<{ tag: string; found: string[] }> = ({ tag, found }) =>
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
      <label for="confirm-token">Admin token</label>
      <input type="password" id="confirm-token" name="token" required autocomplete="off" spellcheck={false} />
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
