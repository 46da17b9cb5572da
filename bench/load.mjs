// One closed-loop load run with autocannon, as its own process (the harness pins it to a core of
// its own). Prints one JSON line: requests/s and latency percentiles of the 2xx responses.
//
//   node bench/load.mjs <url> <connections> <seconds>
//
// autocannon's own latency histogram has 1 ms resolution, too coarse for a 0.2 ms target, so the
// exact response times are taken from its 'response' events instead.
import autocannon from 'autocannon'
import { summarize } from './lib/stats.mjs'

function run(url, connections, seconds) {
  return new Promise((resolve, reject) => {
    const latencies = []
    let non2xx = 0
    const started = performance.now()
    const instance = autocannon({ url, connections, duration: seconds, pipelining: 1 }, (error, result) => {
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

const [url, connections, seconds] = process.argv.slice(2)
const result = await run(url, Number(connections), Number(seconds))
process.stdout.write(`${JSON.stringify(result)}\n`)
