// What every e2e suite sets up: node:test hooks for the calling describe, kept apart from
// harness.mjs, which the screenshot script uses without a test runner.
import assert from 'node:assert/strict'
import { after, afterEach, before, beforeEach } from 'node:test'
import { launchBrowser, newCheckedContext, PLATFORM, startDevServer } from './harness.mjs'

/**
 * Chromium and a `wrangler dev` server, started before the suite's tests and stopped after them.
 * The browser first: without one there is no point starting the server, and the error is clearer.
 */
export function browserAndServer(vars) {
  const suite = { browser: undefined, server: undefined }
  before(async () => {
    suite.browser = await launchBrowser()
    suite.server = await startDevServer(vars ? { ...PLATFORM, vars } : undefined)
  })
  after(async () => {
    await suite.browser?.close()
    await suite.server?.stop()
  })
  return suite
}

/**
 * A fresh context and page for each test, watching the CSP: the platform's pages run under a
 * strict policy, so a test fails when the browser blocked anything.
 */
export function pagePerTest(suite) {
  const current = { context: undefined, page: undefined }
  let cspViolations
  beforeEach(async () => {
    ;({ context: current.context, cspViolations } = await newCheckedContext(suite.browser))
    current.page = await current.context.newPage()
  })
  afterEach(async () => {
    await current.context?.close()
    assert.deepEqual(cspViolations, [], 'the browser blocked something under the CSP')
  })
  return current
}
