import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import type { BuildSuccess } from '../../src/deploy/build'
import { HONO_APP, publishFixtures } from './fixtures'
import { buildOk } from './helpers'
import { serveBuilt, type Visit } from './served'

// examples/hono-app built by the builder and served as the platform serves a deployment: its static
// files through the platform's asset router (Cloudflare's rules: run_worker_first, not_found_handling,
// html_handling), every other request by the built Worker in a Worker Loader isolate with env.DB.
// A visitor then follows every link of every page, on the app's own origin and below the shared
// origin's mount. (Its wrangler config once sent /hello/world and /guestbook to the 404 page.)

beforeAll(publishFixtures)

/** The built app deployed at `mount`, with the example's env.DB (a D1 database of the test runner, vitest.config.ts). */
function deploy(result: BuildSuccess, mount: string): Visit {
  return serveBuilt(result, mount, { DB: (env as unknown as { EXAMPLE_DB: D1Database }).EXAMPLE_DB })
}

interface Link {
  url: string
  /** How a browser asks for it: a click navigates, a stylesheet or script does not. */
  mode: 'navigate' | 'no-cors' | 'cors'
  /** The page it is on: a script's fetch() resolves against the page, not the script. */
  page: string
}

/** What a page links to, by an HTML parser: anchors, stylesheets, scripts. */
async function linksOf(html: string, page: string): Promise<Link[]> {
  const links: Link[] = []
  const add = (value: string | null, mode: Link['mode']) => {
    if (value !== null) links.push({ url: new URL(value, page).href, mode, page })
  }
  await new HTMLRewriter()
    .on('a[href]', { element: (element) => add(element.getAttribute('href'), 'navigate') })
    .on('link[href]', { element: (element) => add(element.getAttribute('href'), 'no-cors') })
    .on('script[src]', { element: (element) => add(element.getAttribute('src'), 'no-cors') })
    .transform(new Response(html))
    .text()
  return links
}

/** Follows every link from `start` once; the status each URL answered, in the order visited. */
async function crawl(visit: Visit, start: string): Promise<Map<string, number>> {
  const statuses = new Map<string, number>()
  const queue: Link[] = [{ url: start, mode: 'navigate', page: start }]
  for (let link = queue.shift(); link; link = queue.shift()) {
    if (statuses.has(link.url)) continue
    const response = await visit(link.url, { headers: { 'Sec-Fetch-Mode': link.mode } })
    statuses.set(link.url, response.status)
    const type = response.headers.get('Content-Type') ?? ''
    const body = await response.text()
    if (type.startsWith('text/html')) queue.push(...(await linksOf(body, link.url)))
    if (type.includes('javascript')) {
      for (const [, target = ''] of body.matchAll(/fetch\(\s*['"]([^'"]+)['"]/g)) {
        queue.push({ url: new URL(target, link.page).href, mode: 'cors', page: link.page })
      }
    }
  }
  return statuses
}

describe('examples/hono-app, deployed', () => {
  let result: BuildSuccess
  beforeAll(async () => {
    result = await buildOk({ files: HONO_APP })
  })

  for (const [where, base, mount] of [
    ['on its own origin', 'http://hono-app.workers.test', ''],
    ['below the shared origin’s mount', 'http://platform.test', '/user-workers/hono-app'],
  ] as const) {
    it(`answers 2xx for every link on its pages, ${where}`, async () => {
      const visit = deploy(result, mount)
      const statuses = await crawl(visit, `${base}${mount}/`)
      const paths = [...statuses.keys()].map((url) => new URL(url).pathname.slice(mount.length))
      expect(paths.sort()).toEqual(['/', '/api/uptime', '/app.js', '/guestbook', '/hello/world', '/style.css'])
      for (const [url, status] of statuses) expect(status, url).toBeGreaterThanOrEqual(200)
      for (const [url, status] of statuses) expect(status, url).toBeLessThan(300)

      // The guestbook's form posts back to its page, which then lists the entry.
      const signed = await visit(`${base}${mount}/guestbook`, {
        method: 'POST',
        body: new URLSearchParams({ name: 'Ada', message: `hello ${where}` }),
      })
      expect(signed.status).toBe(303)
      const location = signed.headers.get('Location') ?? ''
      expect(location).toBe(`${mount}/guestbook`)
      expect(await (await visit(new URL(location, base).href)).text()).toContain(`hello ${where}`)
      // A path nothing answers is still the 404 page.
      const missing = await visit(`${base}${mount}/no-such-page`, { headers: { 'Sec-Fetch-Mode': 'navigate' } })
      expect(missing.status).toBe(404)
      expect(await missing.text()).toContain('<h1>Not found</h1>')
    })
  }
})
