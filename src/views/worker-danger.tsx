import type { FC } from 'hono/jsx'
import { FormError, TokenSubmit, type FormRefusal } from './worker-forms'

/** The worker page's last two forms: a new deploy token, and deleting the worker. */
export const WorkerTokenAndDelete: FC<{ name: string; formError?: FormRefusal | undefined; tokenless: boolean }> = ({
  name,
  formError,
  tokenless,
}) => (
  <>
    <h2 id="rotate-heading">Token rotation</h2>
    <FormError form="rotate" error={formError} />
    <form class="card" method="post" action={`/workers/${name}/token`} aria-labelledby="rotate-heading">
      <p>
        Rotating gives {name} a new deploy token, shown once; the current one is refused from the next request on, and
        sessions opened with it end. Do it when a token may have leaked.
      </p>
      <TokenSubmit id="rotate-token" tokenless={tokenless}>
        <button type="submit" class="secondary">
          Rotate the deploy token
        </button>
      </TokenSubmit>
    </form>

    <h2 id="delete-heading">Delete</h2>
    <FormError form="delete" error={formError} />
    <form class="card" method="post" action={`/workers/${name}/delete`} aria-labelledby="delete-heading">
      <p>
        Removes the worker, all its code and all its data (<code>env.KV</code> and <code>env.DB</code>). The name
        becomes free for anyone.
      </p>
      <TokenSubmit id="delete-token" tokenless={tokenless}>
        <button type="submit" class="danger">
          Delete {name}
        </button>
      </TokenSubmit>
    </form>
  </>
)
