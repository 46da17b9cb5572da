import { raw } from 'hono/html'
import type { Child, FC } from 'hono/jsx'
import type { BackendKind } from '../core/model'
import { PLATFORM_NAME } from '../deploy/platform-module'

export interface LayoutProps {
  title: string
  /** The active backend, shown on every page; absent when configuration failed. */
  backend?: BackendKind
  current?: 'home' | 'upload' | 'signin' | 'signup' | 'account'
  /**
   * Who is signed in to the console: the account's name (with "Sign out"), null when no one is
   * ("Sign in"), absent when the page does not know (error pages: neither is shown). `account`:
   * signed in with an API token, so the name links the account's page.
   */
  signedIn?: { label: string; account?: boolean } | null
  children: Child
}

export const Layout: FC<LayoutProps> = ({ title, backend, current, signedIn, children }) => (
  <>
    {raw('<!doctype html>')}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${PLATFORM_NAME}`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
        <link rel="icon" href="data:," />
        <script src="/assets/app.js" defer />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site">
          <div class="bar">
            <a class="brand" href="/">
              Workers <span>Platform</span>
            </a>
            <nav aria-label="Main">
              <ul>
                <li>
                  <a href="/" aria-current={current === 'home' ? 'page' : undefined}>
                    Workers
                  </a>
                </li>
                <li>
                  <a href="/upload" aria-current={current === 'upload' ? 'page' : undefined}>
                    Upload
                  </a>
                </li>
                {signedIn === null && (
                  <li>
                    <a href="/signin" aria-current={current === 'signin' ? 'page' : undefined}>
                      Sign in
                    </a>
                  </li>
                )}
              </ul>
            </nav>
            {signedIn && (
              <form class="account" method="post" action="/signout">
                {signedIn.account ? (
                  <a href="/account" aria-current={current === 'account' ? 'page' : undefined}>
                    {signedIn.label}
                  </a>
                ) : (
                  <span>{signedIn.label}</span>
                )}{' '}
                <button type="submit" class="secondary">
                  Sign out
                </button>
              </form>
            )}
            {backend && (
              <p class="backend">
                Backend: <code>{backend}</code>
              </p>
            )}
          </div>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  </>
)
