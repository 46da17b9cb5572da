// A stand-in for Workers Analytics Engine, both halves: a dataset binding that keeps every data
// point written to it (with when it was written), and the SQL API
// (POST …/accounts/{account}/analytics_engine/sql, Bearer token, the query as the body) that reads
// them back. The real API runs any SQL; this one answers exactly the query the platform sends
// (src/metrics/analytics-engine.ts) and refuses anything else with 400, so a change to the
// query shows up here. Like ClickHouse's JSON format, it quotes 64-bit integers (the sums).
import { METRICS_DATASET_NAME } from '../../src/metrics/analytics-engine'
import { CLOUDFLARE_DOUBLE } from './constants'

interface Point {
  at: number
  index: string
  /** blob1: the owner generation the request was served for. */
  owner: string
  doubles: number[]
}

const QUERY = new RegExp(
  '^SELECT intDiv\\(toUInt32\\(timestamp\\), 60\\) AS minute, double1 AS bucket, SUM\\(_sample_interval\\) AS requests, ' +
    `SUM\\(_sample_interval \\* double2\\) AS errors FROM ${METRICS_DATASET_NAME} WHERE index1 = '([a-z0-9@-]+)' ` +
    "AND blob1 = '([A-Za-z0-9_-]+)' AND timestamp > NOW\\(\\) - INTERVAL '1' DAY GROUP BY minute, bucket ORDER BY minute FORMAT JSON$",
)

export class AnalyticsEngineDouble {
  readonly points: Point[] = []
  readonly queries: { url: string; authorization: string | null; query: string }[] = []
  /** Analytics Engine keeps 1 in N points of a busy index and says so in `_sample_interval`. */
  sampleInterval = 1
  now = () => Date.now()

  readonly dataset: AnalyticsEngineDataset = {
    writeDataPoint: (point) => {
      const index = point?.indexes?.[0]
      const owner = point?.blobs?.[0]
      this.points.push({
        at: this.now(),
        index: typeof index === 'string' ? index : '',
        owner: typeof owner === 'string' ? owner : '',
        doubles: point?.doubles ?? [],
      })
    },
  }

  /** The SQL API. */
  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const query = await request.text()
    const authorization = request.headers.get('authorization')
    this.queries.push({ url: request.url, authorization, query })
    const expected = `${CLOUDFLARE_DOUBLE.baseUrl}/accounts/${CLOUDFLARE_DOUBLE.accountId}/analytics_engine/sql`
    if (request.url !== expected || request.method !== 'POST') return new Response('Not found', { status: 404 })
    if (authorization !== `Bearer ${CLOUDFLARE_DOUBLE.token}`) return new Response('Unauthorized', { status: 401 })
    const match = QUERY.exec(query)
    if (!match) return new Response(`unexpected query: ${query}`, { status: 400 })
    const since = this.now() - 24 * 60 * 60_000
    const groups = new Map<string, { minute: number; bucket: number; requests: number; errors: number }>()
    for (const point of this.points) {
      if (point.index !== match[1] || point.owner !== match[2] || point.at <= since) continue
      const minute = Math.floor(point.at / 60_000)
      const bucket = point.doubles[0] ?? 0
      const key = `${minute}/${bucket}`
      const group = groups.get(key) ?? { minute, bucket, requests: 0, errors: 0 }
      group.requests += this.sampleInterval
      group.errors += this.sampleInterval * (point.doubles[1] ?? 0)
      groups.set(key, group)
    }
    const data = [...groups.values()]
      .sort((a, b) => a.minute - b.minute)
      .map((group) => ({ ...group, requests: String(group.requests), errors: group.errors }))
    return Response.json({ meta: [], data, rows: data.length })
  }
}
