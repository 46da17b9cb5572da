// A tenant's app: static files from public/ (served by the platform) plus this Hono Worker for
// /api/* and a server-rendered page. Built by the platform's builder: TypeScript, JSX (hono/jsx),
// npm packages (hono, ms) installed from the registry.
import { Hono } from 'hono'
import ms from 'ms'

// Set on the first request: in a Worker's global scope the clock has not started (Date.now() is 0).
let startedAt: number | undefined
const app = new Hono()

app.get('/api/uptime', (c) => {
  startedAt ??= Date.now()
  return c.json({ uptime: ms(Date.now() - startedAt), oneDay: ms(86_400_000) })
})

app.get('/hello/:name', (c) =>
  c.html(
    <html lang="en">
      <head>
        <title>Hello</title>
        <link rel="stylesheet" href="/style.css" />
      </head>
      <body>
        <h1>Hello, {c.req.param('name')}!</h1>
      </body>
    </html>,
  ),
)

export default app
