import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { limitUploadBody } from '../middleware/platform'
import { bundleFromScript } from '../platform/bundle'
import { PlatformError } from '../platform/errors'
import { isValidName } from '../platform/names'
import { HomePage } from '../views/home'
import { EXAMPLE_SCRIPT, UploadPage } from '../views/upload'
import { WorkerPage } from '../views/worker'
import { listPage } from './list'
import { readUploadForm } from './input'
import { workerUrl } from './urls'

/** Server-rendered pages: the worker list, the upload form and a worker's page. */
export const pages = new Hono<AppEnv>()

pages.get('/', async (c) => {
  const { config } = c.var.platform
  const cursor = c.req.query('cursor')
  const page = await listPage(c.var.platform, cursor)
  const nextPage = page.cursor ? `/?cursor=${encodeURIComponent(page.cursor)}` : undefined
  return c.html(<HomePage config={config} workers={page.workers} nextPage={nextPage} paged={cursor !== undefined} />)
})

pages.get('/upload', (c) => {
  const { config } = c.var.platform
  const name = c.req.query('name') ?? ''
  return c.html(
    <UploadPage
      backend={config.backend}
      name={isValidName(name) ? name : ''}
      script={EXAMPLE_SCRIPT}
      maxScriptBytes={config.maxScriptBytes}
    />,
  )
})

pages.post('/upload', limitUploadBody, async (c) => {
  const platform = c.var.platform
  const { config } = platform
  const form = await readUploadForm(c.req)
  try {
    const bundle = bundleFromScript(form.script, config.maxScriptBytes)
    const { record } = await platform.deploy(form.name, bundle, (promise) => c.executionCtx.waitUntil(promise))
    return c.redirect(`/workers/${record.name}?deployed=${record.workerId}`, 303)
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error
    // Re-render the form with everything the user typed and the reason it was refused.
    return c.html(
      <UploadPage
        backend={config.backend}
        name={form.name}
        script={form.script}
        maxScriptBytes={config.maxScriptBytes}
        error={{ code: error.code, message: error.message }}
      />,
      error.status,
    )
  }
})

pages.get('/workers/:name', async (c) => {
  const platform = c.var.platform
  const record = await platform.get(c.req.param('name'))
  return c.html(
    <WorkerPage
      backend={platform.config.backend}
      record={record}
      url={workerUrl(c.req.url, record.name)}
      deployed={c.req.query('deployed') === record.workerId}
    />,
  )
})
