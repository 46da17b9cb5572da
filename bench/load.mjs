// One closed-loop load run with autocannon, as its own process (the harness pins it to a core of
// its own). Prints one JSON line: requests/s and latency percentiles of the 2xx responses.
//
//   node bench/load.mjs <url> <connections> <seconds> [rotate]
//   node bench/load.mjs --serve
//
// With --serve it stays up and takes one run per line on stdin, {"id", "url", "connections",
// "seconds", "rotate"?} or {"id", "alternate": [urls], "count"} (see alternate()), answering each with {"id", "result"} or {"id", "error"}: the harness keeps
// one such process instead of starting Node and autocannon (~0.25 s) for each of its ~150 runs.
//
// A URL ending in "#host=<host>" is requested with that Host header (the fragment is never sent): a
// custom domain or `<name>.localhost` reached at 127.0.0.1.
//
// With `rotate` = n, every "{i}" in the URL's path becomes 0, 1, …, n − 1, n, 0, … in turn across
// all connections (round-robin over n targets, e.g. n tenants).
//
// autocannon's own latency histogram has 1 ms resolution, too coarse for a 0.2 ms target, so the
// exact response times are taken from its 'response' events instead.
import http from 'node:http'
import autocannon from 'autocannon'
import { summarize } from './lib/stats.mjs'

/** One request definition whose path turns round-robin over `rotate` values of "{i}". */
function rotating(url, rotate) {
  const template = new URL(url.replaceAll('{i}', '__I__'))
  const path = `${template.pathname}${template.search}`
  let next = 0
  return [{ setupRequest: (request) => ({ ...request, path: path.replaceAll('__I__', String(next++ % rotate)) }) }]
}

/** The URL to connect to and the headers to send: a "#host=" fragment becomes the Host header. */
function target(url) {
  const [address, fragment = ''] = url.split('#')
  const host = /^host=(.+)$/.exec(fragment)?.[1]
  return { address, headers: host ? { host } : {} }
}

function run(url, connections, seconds, rotate) {
  return new Promise((resolve, reject) => {
    const latencies = []
    let non2xx = 0
    // Which statuses the non-2xx answers had, so a failed run says what went wrong.
    const statuses = {}
    const started = performance.now()
    // sampleInt: autocannon only notices the end of the run on its sampling tick (1 s by default),
    // which would round every run up to whole seconds.
    const { address, headers } = target(url)
    const options = {
      url: address.replaceAll('{i}', '0'),
      headers,
      connections,
      duration: seconds,
      pipelining: 1,
      sampleInt: 100,
    }
    if (rotate) options.requests = rotating(address, rotate)
    const instance = autocannon(options, (error, result) => {
      if (error) return reject(error)
      const elapsed = (performance.now() - started) / 1000
      resolve({
        requestsPerSecond: latencies.length / elapsed,
        ...summarize(latencies),
        ok: latencies.length,
        non2xx,
        ...(non2xx ? { statuses } : {}),
        errors: result.errors,
        timeouts: result.timeouts,
      })
    })
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime)
      else {
        non2xx += 1
        statuses[statusCode] = (statuses[statusCode] ?? 0) + 1
      }
    })
  })
}

/** One GET on a keep-alive agent, timed to the end of the body. */
function getOnce(agent, url) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const { address, headers } = target(url)
    http
      .get(address, { agent, headers }, (response) => {
        response.resume()
        response.on('end', () => resolve({ ms: performance.now() - started, status: response.statusCode }))
      })
      .on('error', reject)
  })
}

/**
 * Unloaded latency of several URLs at the same moments: one request at a time, to each URL in turn
 * (the order rotated every cycle), `count` per URL, each URL on its own kept-alive connection.
 * Slow phases of a shared machine then hit every side alike, as they cannot with one run per side.
 */
async function alternate(urls, count) {
  const agents = urls.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }))
  const latencies = urls.map(() => [])
  let non2xx = 0
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < urls.length; k++) {
      const j = (i + k) % urls.length
      const { ms, status } = await getOnce(agents[j], urls[j])
      if (status >= 200 && status < 300) latencies[j].push(ms)
      else non2xx += 1
    }
  }
  for (const agent of agents) agent.destroy()
  return { sides: latencies.map(summarize), non2xx, errors: 0 }
}

async function serve() {
  const { createInterface } = await import('node:readline')
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue
    const { id, url, connections, seconds, rotate, alternate: urls, count } = JSON.parse(line)
    // Not awaited: the harness may ask for runs at the same time (e.g. two servers loaded at once).
    const work = urls ? alternate(urls, count) : run(url, connections, seconds, rotate)
    work.then(
      (result) => process.stdout.write(`${JSON.stringify({ id, result })}\n`),
      (error) => process.stdout.write(`${JSON.stringify({ id, error: String(error?.stack ?? error) })}\n`),
    )
  }
}

if (process.argv[2] === '--serve') {
  await serve()
} else {
  const [url, connections, seconds, rotate] = process.argv.slice(2)
  const result = await run(url, Number(connections), Number(seconds), rotate ? Number(rotate) : undefined)
  process.stdout.write(`${JSON.stringify(result)}\n`)
}
