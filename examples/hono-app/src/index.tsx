// A tenant's app: static files from public/ (served by the platform) plus this Hono Worker for
// /api/* and a server-rendered page. Built by the platform's builder: TypeScript, JSX (hono/jsx),
// npm packages (hono, ms) installed from the registry.
import { Hono, type Context } from 'hono'
import type { PropsWithChildren } from 'hono/jsx'
import ms from 'ms'

// env.DB: the worker's SQL database (the D1 API), which the platform binds when the deploy asks
// for it (platform.json: { "storage": { "sql": true } }). Its data stays with the worker's name.
type Bindings = { DB: Database }

// The part of the D1 API this app uses (a project may install @cloudflare/workers-types instead).
interface Statement {
  bind(...values: unknown[]): Statement
  all<T>(): Promise<{ results: T[] }>
  run(): Promise<unknown>
}
interface Database {
  prepare(sql: string): Statement
  exec(sql: string): Promise<unknown>
}

// Set on the first request: in a Worker's global scope the clock has not started (Date.now() is 0).
let startedAt: number | undefined
const app = new Hono<{ Bindings: Bindings }>()

app.get('/api/uptime', (c) => {
  startedAt ??= Date.now()
  return c.json({ uptime: ms(Date.now() - startedAt), oneDay: ms(86_400_000) })
})

// Where the platform mounts the app: /user-workers/<name> on its shared origin, "" on its own.
const mountOf = (c: Context) => c.req.header('x-forwarded-prefix') ?? ''

// Every page's shell; its stylesheet (public/style.css) and the home page are found below the mount.
function Page({ title, mount, children }: PropsWithChildren<{ title: string; mount: string }>) {
  return (
    <html lang="en">
      <head>
        <title>{title}</title>
        <link rel="stylesheet" href={`${mount}/style.css`} />
      </head>
      <body>
        <nav>
          <a href={`${mount}/`}>Home</a>
        </nav>
        {children}
      </body>
    </html>
  )
}

app.get('/hello/:name', (c) =>
  c.html(
    <Page title="Hello" mount={mountOf(c)}>
      <h1>Hello, {c.req.param('name')}!</h1>
    </Page>,
  ),
)

// A guestbook in env.DB: the table is made on first use, so a fresh deploy needs no migration step.
const SCHEMA =
  'CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, message TEXT NOT NULL, at TEXT NOT NULL)'

interface Entry {
  name: string
  message: string
  at: string
}

async function latestEntries(db: Database): Promise<Entry[]> {
  await db.exec(SCHEMA)
  const { results } = await db.prepare('SELECT name, message, at FROM entries ORDER BY id DESC LIMIT 20').all<Entry>()
  return results
}

async function sign(db: Database, name: string, message: string): Promise<void> {
  await db.exec(SCHEMA)
  await db
    .prepare('INSERT INTO entries (name, message, at) VALUES (?, ?, ?)')
    .bind(name.slice(0, 40), message.slice(0, 280), new Date().toISOString())
    .run()
}

app.get('/api/guestbook', async (c) => c.json(await latestEntries(c.env.DB)))

app.post('/api/guestbook', async (c) => {
  const { name, message } = await c.req.json<{ name?: unknown; message?: unknown }>()
  if (typeof name !== 'string' || typeof message !== 'string' || !name.trim() || !message.trim()) {
    return c.json({ error: 'Give a name and a message.' }, 400)
  }
  await sign(c.env.DB, name.trim(), message.trim())
  return c.json({ ok: true }, 201)
})

// The same without JavaScript: a page with a form that posts back to it.
app.get('/guestbook', async (c) => {
  const entries = await latestEntries(c.env.DB)
  return c.html(
    <Page title="Guestbook" mount={mountOf(c)}>
      <h1>Guestbook</h1>
      <form method="post">
        <input name="name" placeholder="Your name" required maxlength={40} />{' '}
        <input name="message" placeholder="A message" required maxlength={280} /> <button type="submit">Sign</button>
      </form>
      <ul>
        {entries.map((entry) => (
          <li>
            <strong>{entry.name}</strong>: {entry.message} <time datetime={entry.at}>{entry.at.slice(0, 10)}</time>
          </li>
        ))}
      </ul>
    </Page>,
  )
})

app.post('/guestbook', async (c) => {
  const form = await c.req.parseBody()
  const name = typeof form.name === 'string' ? form.name.trim() : ''
  const message = typeof form.message === 'string' ? form.message.trim() : ''
  if (name && message) await sign(c.env.DB, name, message)
  // Back to the page, wherever the platform mounts the app (/user-workers/<name> or its own origin).
  return c.redirect(`${mountOf(c)}/guestbook`, 303)
})

export default app
