import type { Child, FC } from 'hono/jsx'
import type { BackendKind } from '../core/model'
import { Layout } from './layout'

/** The admin page's sections, in its own navigation. */
export const ADMIN_SECTIONS = [
  { id: 'workers', href: '/admin', label: 'Workers' },
  { id: 'accounts', href: '/admin/accounts', label: 'Accounts' },
  { id: 'tags', href: '/admin/tags', label: 'Delete by tag' },
  { id: 'audit', href: '/admin/audit', label: 'Audit log' },
] as const

export type AdminSection = (typeof ADMIN_SECTIONS)[number]['id']

/** A page of the admin console: the site's layout, with the admin sections and "Sign out of admin". */
export const AdminLayout: FC<{ title: string; backend: BackendKind; current?: AdminSection; children: Child }> = ({
  title,
  backend,
  current,
  children,
}) => (
  <Layout title={title} backend={backend}>
    <nav aria-label="Admin" class="admin-nav">
      <ul>
        {ADMIN_SECTIONS.map((section) => (
          <li>
            <a href={section.href} aria-current={section.id === current ? 'page' : undefined}>
              {section.label}
            </a>
          </li>
        ))}
        <li>
          <form method="post" action="/admin/signout">
            <button type="submit" class="secondary">
              Sign out of admin
            </button>
          </form>
        </li>
      </ul>
    </nav>
    <div class="admin">{children}</div>
  </Layout>
)

/** A message above the page's content: what an action did, or why it was refused. */
export const AdminAlert: FC<{ error?: string | undefined; notice?: string | undefined }> = ({ error, notice }) => (
  <>
    {error && (
      <div class="alert error" role="alert">
        {error}
      </div>
    )}
    {notice && (
      <div class="alert success" role="status">
        {notice}
      </div>
    )}
  </>
)
