// What a person does in the browser, shared by the e2e suite and the screenshot script.
// Fields are found by their labels and buttons by their names, so these also check that the
// form is usable with assistive technology, not just that some element with an id exists.
import assert from 'node:assert/strict'

export const helloScript = (text) =>
  `export default {\n  async fetch() {\n    return new Response(${JSON.stringify(text)});\n  },\n};\n`

export const THROWING_SCRIPT = `export default {\n  async fetch() {\n    throw new Error("e2e: this worker always fails");\n  },\n};\n`

// One closing brace too many: the runtime refuses it with a SyntaxError at upload.
export const SYNTAX_ERROR_SCRIPT = `export default {\n  fetch() { return new Response("x") }\n}}\n`

let counter = 0
/** A fresh worker name, so tests never depend on (or replace) each other's workers. */
export function uniqueName(prefix) {
  counter += 1
  return `${prefix}-${Date.now().toString(36)}-${counter}`
}

export const nameField = (page) => page.getByRole('textbox', { name: /^Name/ })
export const codeField = (page) => page.getByRole('textbox', { name: /^Code/ })
export const fileField = (page) => page.getByLabel(/^Or files/)

/** Clicks a control that submits or navigates and returns the response of the page it lands on. */
export async function clickAndWait(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation(), locator.click()])
  return response
}

export const submitUpload = (page) => clickAndWait(page, page.getByRole('button', { name: 'Deploy worker' }))

/** Opens the upload form, types a name and code, and deploys. Returns the final response. */
export async function uploadWorker(page, baseUrl, { name, script }) {
  await page.goto(`${baseUrl}/upload`)
  await nameField(page).fill(name)
  await codeField(page).fill(script)
  return submitUpload(page)
}

/** The deploy token the worker page shows once after a name's first upload. */
export const revealedToken = (page) =>
  page.getByRole('region', { name: 'Save your deploy token now' }).getByRole('textbox').inputValue()

/** A call to the platform's API (a JSON body with `json`, a Bearer `token`), as curl would make it. */
export async function api(url, path, { method = 'GET', token, body, json } = {}) {
  const headers = {}
  if (token) headers.Authorization = `Bearer ${token}`
  if (json !== undefined) headers['Content-Type'] = 'application/json'
  return fetch(`${url}${path}`, { method, headers, body: json !== undefined ? JSON.stringify(json) : body })
}

/**
 * A new account (through the API) whose API token deploys `name` once per version in turn; returns
 * the account's first token ({ value, … }).
 */
export async function accountWithWorker(url, accountName, name, versions = ['v1', 'v2']) {
  const signedUp = await api(url, '/api/accounts', { method: 'POST', json: { name: accountName } })
  assert.equal(signedUp.status, 201)
  const { token } = await signedUp.json()
  for (const version of versions) {
    const deployed = await api(url, `/api/workers/${name}`, {
      method: 'PUT',
      token: token.value,
      body: helloScript(version),
    })
    assert.ok(deployed.ok, `deploy ${version}: ${deployed.status}`)
  }
  return token
}
