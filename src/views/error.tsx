import type { FC } from 'hono/jsx'
import type { BackendKind } from '../core/model'
import { Layout } from './layout'

export interface ErrorProps {
  status: number
  title: string
  message: string
  /** What the visitor can do next. */
  hint?: string
  backend?: BackendKind
}

export const ErrorPage: FC<ErrorProps> = ({ status, title, message, hint, backend }) => (
  <Layout title={title} backend={backend}>
    <p class="hint">Error {status}</p>
    <h1>{title}</h1>
    <p>{message}</p>
    {hint && <p>{hint}</p>}
    <p>
      <a href="/">Back to all workers</a>
    </p>
  </Layout>
)
