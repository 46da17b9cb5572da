import { Hono } from 'hono/tiny'
import { nonEmpty, object, pipe, regex, string, transform, trim } from 'valibot'
import type { AppEnv } from '../context'
import { parseInput } from '../core/schema'
import { field, formToken, readForm, requestScope } from './input'
import { proofOf } from './session'
import { workerPageWithError } from './worker-page'

/**
 * The worker page's rollout forms (views/worker-rollout.tsx): start a gradual rollout or change its
 * share, promote its candidate to everyone, or abort it. Each answers with a redirect to the page, or
 * the page again with the refusal next to the form and what was typed.
 */
export const rolloutPages = new Hono<AppEnv>()

const PERCENT = 'The share of visitors is a whole percentage from 1 to 99.'

const rolloutForm = object({
  deployment: pipe(string(), nonEmpty('Choose the deployment to roll out.')),
  percent: pipe(string(), trim(), regex(/^\d{1,3}$/, PERCENT), transform(Number)),
})

const promoteForm = object({ deployment: pipe(string(), nonEmpty('Choose the deployment to promote.')) })

rolloutPages.post('/workers/:name/rollout', async (c) => {
  const name = c.req.param('name')
  const body = await readForm(c.req)
  const typed = { deployment: field(body, 'deployment'), percent: field(body, 'percent') }
  try {
    const { deployment, percent } = parseInput(rolloutForm, typed)
    const proof = await proofOf(c, name, formToken(body))
    await c.var.platform.rollouts.set(name, deployment, percent, proof, requestScope(c))
  } catch (error) {
    return workerPageWithError(c, name, error, 'rollout', { rolloutInput: typed })
  }
  return c.redirect(`/workers/${name}#rollout-heading`, 303)
})

rolloutPages.post('/workers/:name/rollout/:action{promote|abort}', async (c) => {
  const { platform } = c.var
  const name = c.req.param('name')
  const body = await readForm(c.req)
  try {
    const proof = await proofOf(c, name, formToken(body))
    if (c.req.param('action') === 'abort') {
      await platform.rollouts.abort(name, proof, requestScope(c))
      return c.redirect(`/workers/${name}#rollout-heading`, 303)
    }
    const { deployment } = parseInput(promoteForm, { deployment: field(body, 'deployment') })
    await platform.deploys.promote(name, deployment, proof, requestScope(c))
  } catch (error) {
    return workerPageWithError(c, name, error, 'rollout')
  }
  return c.redirect(`/workers/${name}?promoted=1`, 303)
})
