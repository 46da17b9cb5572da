// Issue #24: a custom hostname's dispatch against the same worker at `<name>.<domain>` (here
// `<name>.localhost`, the name routing of a platform reached on localhost), on one platform server:
// both are host routing, the custom one adds the hostname's KV mapping (cached like names) and the
// owner check. 16 connections, one side after the other in each round (the order alternating), and
// 1 connection at the same moments (runAlternating) for the added latency.
import http from 'node:http'
import { uploadOrThrow } from './lib/client.mjs'
import { comparePair } from './pairs.mjs'

const NAME = 'domain-bench'
const BODY = 'hello from a custom domain'
const SCRIPT = `export default { fetch: () => new Response(${JSON.stringify(BODY)}) }`
export const CUSTOM_HOSTNAME = `${NAME}.example.test`

/** GET / with a Host header (fetch() may not set one), its status and body. */
function getWithHost(base, host) {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/`, { headers: { host } }, (response) => {
        let body = ''
        response.on('data', (chunk) => (body += chunk))
        response.on('end', () => resolve({ status: response.statusCode, body }))
      })
      .on('error', reject)
  })
}

/** Deploys the worker, adds its custom hostname (a development `.test` one: no SaaS zone here), checks both hosts. */
async function prepare(base) {
  const token = await uploadOrThrow(base, NAME, SCRIPT)
  const added = await fetch(`${base}/api/workers/${NAME}/domains`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ hostname: CUSTOM_HOSTNAME }),
  })
  if (added.status !== 201) throw new Error(`adding ${CUSTOM_HOSTNAME}: ${added.status} ${await added.text()}`)
  const port = new URL(base).port
  const hosts = { custom: CUSTOM_HOSTNAME, named: `${NAME}.localhost:${port}` }
  for (const host of Object.values(hosts)) {
    const { status, body } = await getWithHost(base, host)
    if (status !== 200 || body !== BODY) throw new Error(`${host}: ${status} ${body.slice(0, 200)}`)
  }
  return { custom: `${base}/#host=${hosts.custom}`, named: `${base}/#host=${hosts.named}` }
}

/** The custom hostname against `<name>.localhost` (bench/pairs.mjs). */
export async function measureCustomDomains(base, pid, settings, log) {
  log('custom domains: a custom hostname vs <name>.localhost, same worker')
  const { custom, named } = await prepare(base)
  return comparePair({ custom, named }, pid, settings)
}
