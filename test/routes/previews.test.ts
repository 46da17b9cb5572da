import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { previewId } from '../../src/core/urls'
import { deployNew, helloScript, platform, platformWith, postForm, uniqueName } from '../helpers'

type Described = {
  workerId: string
  deployments: { workerId: string; label: string; current: boolean; preview: { url: string; siteUrl?: string } }[]
}

const auth = (token: string) => ({ Authorization: `Bearer ${token}` })

function deploy(name: string, script: string, token: string, query = '') {
  return platform(`/api/workers/${name}${query}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/javascript', ...auth(token) },
    body: script,
  })
}

function promote(name: string, deployment: string, token?: string) {
  return platform(`/api/workers/${name}/promote`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? auth(token) : {}) },
    body: JSON.stringify({ deployment }),
  })
}

async function describeWorker(name: string): Promise<Described> {
  return (await platform(`/api/workers/${name}`)).json<Described>()
}

const bodyOf = async (url: string) => (await platform(url)).text()

/** A worker that answers with one secret's value, to see which deployment's secrets a request got. */
const SECRET_ECHO = `export default { fetch(request, env) { return new Response(env.GREETING) } }`

describe('preview URLs and promote', () => {
  it('an upload with ?promote=false serves only at its preview URL until promoted', async () => {
    const name = uniqueName('candidate')
    const { token } = await deployNew(name, helloScript('live v1'))
    const res = await deploy(name, helloScript('candidate v2'), token, '?promote=false')
    expect(res.status).toBe(200)

    const described = await describeWorker(name)
    const [candidate, live] = described.deployments
    expect(candidate).toMatchObject({ label: 'v2', current: false })
    expect(live).toMatchObject({ label: 'v1', current: true })
    expect(described.workerId).toBe(live!.workerId)
    expect(await bodyOf(`/user-workers/${name}/`)).toBe('live v1')
    expect(candidate!.preview.url).toBe(`http://platform.test/user-workers/${name}@${previewId(candidate!.workerId)}`)
    expect(await bodyOf(`${candidate!.preview.url}/`)).toBe('candidate v2')
    // The serving deployment has a preview URL too: immutable, whatever the name serves later.
    expect(await bodyOf(`${live!.preview.url}/`)).toBe('live v1')

    expect((await promote(name, candidate!.workerId)).status).toBe(403)
    expect(await bodyOf(`/user-workers/${name}/`)).toBe('live v1')
    const promoted = await promote(name, candidate!.workerId, token)
    expect(promoted.status).toBe(200)
    expect(await promoted.json<Described>()).toMatchObject({ workerId: candidate!.workerId })
    expect(await bodyOf(`/user-workers/${name}/`)).toBe('candidate v2')
    expect(await bodyOf(`${live!.preview.url}/`)).toBe('live v1')
  })

  it('a candidate runs with its own secrets, and the serving deployment keeps its own', async () => {
    const name = uniqueName('candidate-secrets')
    const first = await platform(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ script: SECRET_ECHO, secrets: { GREETING: 'old' } }),
    })
    const { token } = await first.json<{ token: string }>()
    const second = await platform(`/api/workers/${name}?promote=false`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', ...auth(token) },
      body: JSON.stringify({ script: SECRET_ECHO, secrets: { GREETING: 'new' } }),
    })
    expect(second.status).toBe(200)
    const [candidate] = (await describeWorker(name)).deployments
    expect(await bodyOf(`/user-workers/${name}/`)).toBe('old')
    expect(await bodyOf(`${candidate!.preview.url}/`)).toBe('new')
    await promote(name, candidate!.workerId, token)
    expect(await bodyOf(`/user-workers/${name}/`)).toBe('new')
  })

  it('a first upload cannot skip promotion, and promote must be true or false', async () => {
    const name = uniqueName('first-candidate')
    const res = await platform(`/api/workers/${name}?promote=false`, { method: 'PUT', body: helloScript('x') })
    expect(res.status).toBe(400)
    expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(/first one is what it serves/)
    expect((await platform(`/api/workers/${name}`)).status).toBe(404)

    const { token } = await deployNew(name, helloScript('x'))
    expect((await deploy(name, helloScript('y'), token, '?promote=maybe')).status).toBe(400)
    expect((await describeWorker(name)).deployments).toHaveLength(1)
  })

  it('a preview ID only works with its own name, and unknown IDs are 404', async () => {
    const name = uniqueName('preview-owner')
    const other = uniqueName('preview-other')
    const { workerId } = await deployNew(name, helloScript('mine'))
    await deployNew(other, helloScript('theirs'))
    expect((await platform(`/user-workers/${other}@${previewId(workerId)}/`)).status).toBe(404)
    expect((await platform(`/user-workers/${name}@0123456789abcdef0123/`)).status).toBe(404)
    expect((await platform(`/user-workers/${name}@../x`)).status).toBe(404)
    expect((await platform(`/user-workers/@${previewId(workerId)}/`)).status).toBe(404)
  })

  it('previews get the same shared-origin confinement as the name', async () => {
    const name = uniqueName('preview-confined')
    const script = `export default { fetch() { return new Response("x", { headers: { "Set-Cookie": "a=b" } }) } }`
    const { workerId } = await deployNew(name, script)
    const res = await platform(`/user-workers/${name}@${previewId(workerId)}/`)
    expect(res.headers.get('Content-Security-Policy')).toContain('sandbox')
    expect(res.headers.get('Set-Cookie')).toBeNull()
  })

  it('host form: <preview-id>--preview.<domain> serves that deployment on its own origin', async () => {
    const name = uniqueName('preview-host')
    const { token } = await deployNew(name, helloScript('one'))
    await deploy(name, helloScript('two'), token, '?promote=false')
    const described = await platformWith({ USER_WORKERS_DOMAIN: 'localhost' }, `/api/workers/${name}`)
    const [candidate] = (await described.json<Described>()).deployments
    const host = `${previewId(candidate!.workerId)}--preview.localhost`
    expect(candidate!.preview.siteUrl).toBe(`http://${host}/`)
    const res = await platformWith({ USER_WORKERS_DOMAIN: 'localhost' }, `http://${host}/`)
    expect(await res.text()).toBe('two')
    expect(
      (await platformWith({ USER_WORKERS_DOMAIN: 'localhost' }, 'http://feedface--preview.localhost/')).status,
    ).toBe(404)
  })

  it('previews of a deleted worker are 404 and their aliases are gone', async () => {
    const name = uniqueName('preview-deleted')
    const { token, workerId } = await deployNew(name, helloScript('bye'))
    expect(await env.WORKER_MAPPINGS.get(`previews/${previewId(workerId)}`)).toBe(name)
    const deleted = await platform(`/api/workers/${name}`, { method: 'DELETE', headers: auth(token) })
    expect(deleted.status).toBe(200)
    expect((await platform(`/user-workers/${name}@${previewId(workerId)}/`)).status).toBe(404)
    expect(await env.WORKER_MAPPINGS.get(`previews/${previewId(workerId)}`)).toBeNull()
  })

  it('the upload form\'s "Preview only" box deploys a candidate and the page offers to promote it', async () => {
    const name = uniqueName('form-candidate')
    const { token } = await deployNew(name, helloScript('live'))
    const res = await postForm({ name, script: helloScript('next'), token, promote: 'false' })
    expect(res.status).toBe(303)
    const page = await (await platform(res.headers.get('Location')!)).text()
    expect(page).toContain('Deployed as a candidate')
    expect(page).toContain('(candidate)')
    expect(page).toContain('Promote the selected deployment')
    expect(await bodyOf(`/user-workers/${name}/`)).toBe('live')

    const [candidate] = (await describeWorker(name)).deployments
    const promoted = await platform(`/workers/${name}/promote`, {
      method: 'POST',
      body: new URLSearchParams({ deployment: candidate!.workerId, token }),
    })
    expect(promoted.status).toBe(303)
    expect(await (await platform(promoted.headers.get('Location')!)).text()).toContain('Promoted.')
    expect(await bodyOf(`/user-workers/${name}/`)).toBe('next')
  })
})
