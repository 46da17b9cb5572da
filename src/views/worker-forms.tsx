import type { FC, PropsWithChildren } from 'hono/jsx'

// The pieces every owner action on the worker page shares.

/** The forms on the worker page that need the deploy token. */
export type WorkerForm = 'delete' | 'promote' | 'logs' | 'cron' | 'rotate' | 'domains' | 'rollout'

/** Why the named form was refused, for the page shown again. */
export interface FormRefusal {
  form: WorkerForm
  message: string
}

/** The reason the named form was refused, shown next to it. */
export const FormError: FC<{ form: WorkerForm; error: FormRefusal | undefined }> = ({ form, error }) =>
  error?.form === form ? (
    <div class="alert error" role="alert">
      {error.message}
    </div>
  ) : null

/**
 * The deploy-token field every owner action on this page needs, and the form's button. Signed in
 * with the worker's account (`tokenless`), the session acts instead: no field.
 */
export const TokenSubmit: FC<PropsWithChildren<{ id: string; tokenless?: boolean }>> = ({ id, tokenless, children }) =>
  tokenless ? (
    <div class="actions">{children}</div>
  ) : (
    <>
      <label for={id}>Deploy token</label>
      <input type="password" id={id} name="token" required autocomplete="off" spellcheck={false} />
      <div class="actions">{children}</div>
    </>
  )
