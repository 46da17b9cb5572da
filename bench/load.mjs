// One closed-loop load run with autocannon, as its own process (the harness pins it to a core of
// its own). Prints one JSON line: requests/s and latency percentiles of the 2xx responses.
//
//   node bench/load.mjs <url> <connections> <seconds> [rotate]
//   node bench/load.mjs --serve
//
// With --serve it stays up and takes one run per line on stdin, {"id", "url", "connections",
// "seconds", "rotate"?}, answering each with {"id", "result"} or {"id", "error"}: the harness keeps
// one such process instead of starting Node and autocannon (~0.25 s) for each of its ~150 runs.
//
// With `rotate` = n, every "{i}" in the URL's path becomes 0, 1, …, n − 1, n, 0, … in turn across
// all connections (round-robin over n targets, e.g. n tenants).
//
// autocannon's own latency histogram has 1 ms resolution, too coarse for a 0.2 ms target, so the
// exact response times are taken from its 'response' events instead.
import autocannon from 'autocannon'
import { summarize } from './lib/stats.mjs'

/** One request definition whose path turns round-robin over `rotate` values of "{i}". */
function rotating(url, rotate) {
  const template = new URL(url.replaceAll('{i}', '__I__'))
  const path = `${template.pathname}${template.search}`
  let next = 0
  return [{ setupRequest: (request) => ({ ...request, path: path.replaceAll('__I__', String(next++ % rotate)) }) }]
}

function run(url, connections, seconds, rotate) {
  return new Promise((resolve, reject) => {
    const latencies = []
    let non2xx = 0
    const started = performance.now()
    // sampleInt: autocannon only notices the end of the run on its sampling tick (1 s by default),
    // which would round every run up to whole seconds.
    const options = { url: url.replaceAll('{i}', '0'), connections, duration: seconds, pipelining: 1, sampleInt: 100 }
    if (rotate) options.requests = rotating(url, rotate)
    const instance = autocannon(options, (error, result) => {
      if (error) return reject(error)
      const elapsed = (performance.now() - started) / 1000
      resolve({
        requestsPerSecond: latencies.length / elapsed,
        ...summarize(latencies),
        ok: latencies.length,
        non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
      })
    })
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime)
      else non2xx += 1
    })
  })
}

async function serve() {
  const { createInterface } = await import('node:readline')
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue
    const { id, url, connections, seconds, rotate } = JSON.parse(line)
    // Not awaited: the harness may ask for runs at the same time (e.g. two servers loaded at once).
    run(url, connections, seconds, rotate).then(
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
