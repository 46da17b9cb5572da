import { describe, expect, it } from 'vitest'
import { CloudflareApi, type HashedAsset } from '../../src/backends/cloudflare-api'
import { PlatformError } from '../../src/core/errors'
import { CLOUDFLARE_DOUBLE } from '../doubles/constants'

// The answers of the Cloudflare API the client reads, against a fetch that gives canned ones: what
// Cloudflare documents is read; anything else is a Cloudflare API error saying what was off, never a
// TypeError further on. (The whole flows run against test/doubles/cloudflare-api.js elsewhere.)

const SETTINGS = {
  baseUrl: CLOUDFLARE_DOUBLE.baseUrl,
  accountId: CLOUDFLARE_DOUBLE.accountId,
  apiToken: CLOUDFLARE_DOUBLE.token,
  namespace: CLOUDFLARE_DOUBLE.namespace,
}

/** A client whose calls get `answers` in turn (JSON bodies, or a Response as it is). */
function clientAnswering(...answers: unknown[]): CloudflareApi {
  const queue = [...answers]
  return new CloudflareApi(SETTINGS, () => {
    const next = queue.shift()
    return Promise.resolve(next instanceof Response ? next : Response.json(next))
  })
}

const envelope = (result: unknown) => ({ success: true, errors: [], messages: [], result })

const ASSET: HashedAsset = {
  path: '/index.html',
  hash: 'a'.repeat(32),
  content: new TextEncoder().encode('<h1>hi</h1>'),
  contentType: 'text/html',
}

async function failure(call: Promise<unknown>): Promise<PlatformError> {
  const error = await call.then(
    () => null,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(PlatformError)
  expect(error).toMatchObject({ code: 'cloudflare_api_error' })
  return error as PlatformError
}

describe('the Cloudflare API client reads the answers Cloudflare documents', () => {
  it('an asset upload: session, buckets, completion (a bucket still pending answers without a token)', async () => {
    const session = envelope({ jwt: 'session-token', buckets: [[ASSET.hash], [ASSET.hash]] })
    const api = clientAnswering(session, envelope({}), envelope({ jwt: 'completion-token' }))
    expect(await api.uploadAssets('s', [ASSET])).toBe('completion-token')
    expect(
      await clientAnswering(
        envelope({ jwt: 'x', buckets: [[ASSET.hash], [ASSET.hash]] }),
        envelope(null),
        envelope({ jwt: 'done' }),
      ).uploadAssets('s', [ASSET]),
    ).toBe('done')
  })

  it.each([[], null, undefined])(
    'an asset upload Cloudflare needs nothing for (buckets %j): the session token',
    async (buckets) => {
      const api = clientAnswering(envelope({ jwt: 'session-token', ...(buckets === undefined ? {} : { buckets }) }))
      expect(await api.uploadAssets('s', [ASSET])).toBe('session-token')
    },
  )

  it('a namespace’s trusted_workers, absent meaning untrusted', async () => {
    expect(
      await clientAnswering(envelope({ namespace_name: 'n', trusted_workers: true })).namespaceTrustedWorkers(),
    ).toBe(true)
    expect(
      await clientAnswering(envelope({ namespace_name: 'n', trusted_workers: false })).namespaceTrustedWorkers(),
    ).toBe(false)
    expect(await clientAnswering(envelope({ namespace_name: 'n' })).namespaceTrustedWorkers()).toBe(false)
  })

  it('a failure: the API’s own codes and messages; off their shape, the status', async () => {
    const failed = (body: unknown) =>
      clientAnswering(new Response(JSON.stringify(body), { status: 500, statusText: 'Internal Server Error' }))
    expect((await failure(failed({ errors: [{ code: 10013, message: 'It broke' }] }).deleteScript('s'))).message).toBe(
      'Cloudflare API error 10013: It broke',
    )
    for (const body of [{ errors: 'It broke' }, { errors: [{ code: '10013', message: 'It broke' }] }, 'no envelope']) {
      expect((await failure(failed(body).deleteScript('s'))).message).toBe(
        'Cloudflare API answered 500 Internal Server Error',
      )
    }
  })
})

describe('an answer off that shape is a Cloudflare API error naming what is off', () => {
  const off = (what: string, problem: string): string =>
    expect.stringMatching(
      new RegExp(`^The Cloudflare API's answer to ${what} is off its documented shape: ${problem}`),
    ) as string

  it.each([
    ['no upload token', envelope({ buckets: [] }), 'result\\.jwt:'],
    ['an empty upload token', envelope({ jwt: '' }), 'result\\.jwt: no upload token'],
    ['buckets that are not lists of hashes', envelope({ jwt: 't', buckets: ['a'] }), 'result\\.buckets\\.0:'],
    ['no result', { success: true, errors: [] }, 'result:'],
  ])('starting an asset upload: %s', async (_case, answer, problem) => {
    const error = await failure(clientAnswering(answer).uploadAssets('s', [ASSET]))
    expect(error.message).toEqual(off('starting the asset upload', problem))
  })

  it('an asset upload whose token is not text', async () => {
    const api = clientAnswering(envelope({ jwt: 's', buckets: [[ASSET.hash]] }), envelope({ jwt: 5 }))
    expect((await failure(api.uploadAssets('s', [ASSET]))).message).toEqual(off('an asset upload', 'result\\.jwt:'))
  })

  it('a namespace whose trusted_workers is not a boolean, or an answer that is not JSON', async () => {
    const api = clientAnswering(envelope({ trusted_workers: 'yes' }))
    expect((await failure(api.namespaceTrustedWorkers())).message).toEqual(
      off('reading the namespace', 'result\\.trusted_workers:'),
    )
    const html = clientAnswering(new Response('<html>maintenance</html>', { status: 200 }))
    expect((await failure(html.namespaceTrustedWorkers())).message).toBe(
      "The Cloudflare API's answer to reading the namespace is not JSON.",
    )
  })
})
