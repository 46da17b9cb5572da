// Issue #24: a custom hostname's dispatch against the same worker at `<name>.<domain>` (here
// `<name>.localhost`, the name routing of a platform reached on localhost), on one platform server:
// both are host routing, the custom one adds the hostname's KV mapping (cached like names) and the
// owner check. 16 connections, one side after the other in each round (the order alternating), and
// 1 connection at the same moments (runAlternating) for the added latency.
import http from 'node:http'
import { uploadOrThrow } from './lib/client.mjs'
import { runAlternating, runLoad } from './lib/procs.mjs'
import { cpuSeconds } from './lib/proc.mjs'

const NAME = 'domain-bench'
const BODY = 'hello from a custom domain'
const SCRIPT = `export default { fetch: () => new Response(${JSON.stringify(BODY)}) }`
export const CUSTOM_HOSTNAME = `${NAME}.example.test`
const WARM_UP_SECONDS = 0.3

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

/**
 * `rounds` of both sides one after the other on the same server (`pid`), each run with the server's
 * CPU time, so the ratio is also one of requests per CPU second (less disturbed by the machine).
 */
export async function measureCustomDomains(base, pid, { connections, seconds, rounds, latencyCount }, log) {
  log('custom domains: a custom hostname vs <name>.localhost, same worker')
  const targets = await prepare(base)
  for (const url of Object.values(targets)) await runLoad(url, connections, 1)
  const runs = { custom: [], named: [] }
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 ? ['named', 'custom'] : ['custom', 'named']) {
      // Unmeasured first: without it the side run second in a round measured ~15 % faster either way.
      await runLoad(targets[side], connections, WARM_UP_SECONDS)
      const before = cpuSeconds(pid)
      const run = await runLoad(targets[side], connections, seconds)
      if (run.non2xx || run.errors) throw new Error(`${side}: ${run.non2xx} non-2xx, ${run.errors} errors`)
      const cpu = before === null ? null : cpuSeconds(pid) - before
      runs[side].push({ ...run, cpuSeconds: cpu, perCpuSecond: cpu ? run.ok / cpu : null })
    }
  }
  const latency = await runAlternating([targets.custom, targets.named], latencyCount)
  if (latency.non2xx) throw new Error(`custom domain latency: ${latency.non2xx} non-2xx`)
  return { runs, latency: { custom: latency.sides[0], named: latency.sides[1] } }
}
