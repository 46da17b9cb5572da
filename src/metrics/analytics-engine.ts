import { array, looseObject, number, pipe, string, transform, union } from 'valibot'
import type { CloudflareApiSettings } from '../core/config'
import { PlatformError } from '../core/errors'
import { parseOr } from '../core/schema'
import { BUCKETS, MINUTE_MS, bucketOf, emptyMinute, type MinuteRow } from './metrics'
import type { MeteredWorker, Metrics } from './metrics-recorder'
import { isValidName } from '../core/names'
import { isDeploymentKey } from './rollout-metrics'

/** The dataset of the METRICS_DATASET binding (wrangler.jsonc); the SQL API reads it by this name. */
export const METRICS_DATASET_NAME = 'workers_for_platforms_metrics'

/** What an owner ID looks like (names/ownership.ts newOwnerId): nothing else reaches the SQL text. */
const OWNER_ID = /^o-[A-Za-z0-9_-]{1,32}$/

/** A number in the SQL API's answer: ClickHouse's JSON format quotes 64-bit integers. */
const sqlNumber = union([number(), pipe(string(), transform(Number), number())])

/** The SQL API's answer to the query below (FORMAT JSON): its rows, as numbers. */
const answerSchema = looseObject({
  data: array(looseObject({ minute: sqlNumber, bucket: sqlNumber, requests: sqlNumber, errors: sqlNumber })),
})

/**
 * Metrics in Workers Analytics Engine (METRICS=analytics-engine): one data point per request
 * (`writeDataPoint` returns at once and costs no storage write), the worker's name as the index,
 * its histogram bucket and whether it failed as doubles. Read back with the SQL API, summed per
 * minute and bucket with `_sample_interval` (Analytics Engine samples busy indexes), so minutes
 * come back as the same mergeable histograms the local store keeps. Nothing is held in isolate
 * memory, so nothing is lost with an evicted isolate. Data points cannot be deleted: a deleted
 * worker's stay (Cloudflare keeps them for three months) and are never shown, as reads start at
 * the worker's creation.
 */
export class AnalyticsEngineMetrics implements Metrics {
  constructor(
    private readonly dataset: AnalyticsEngineDataset,
    private readonly api: CloudflareApiSettings,
    // Bound late, so tests can stand in for the SQL API.
    private readonly send: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  record({ name, ownerId }: MeteredWorker, status: number | null, wallMs: number): void {
    const failed = status === null || status >= 500 ? 1 : 0
    // The owner generation as a blob: reads count only the current owner's points (core/generation.ts).
    this.dataset.writeDataPoint({ indexes: [name], blobs: [ownerId], doubles: [bucketOf(wallMs), failed] })
  }

  async read({ name, ownerId }: MeteredWorker, from: number): Promise<MinuteRow[]> {
    // Both go into SQL: only a valid name (lowercase letters, digits, hyphens), or a deployment's key
    // during a rollout (metrics/rollout-metrics.ts), and an owner ID ever do.
    if (!(isValidName(name) || isDeploymentKey(name)) || !OWNER_ID.test(ownerId)) return []
    const query =
      'SELECT intDiv(toUInt32(timestamp), 60) AS minute, double1 AS bucket, SUM(_sample_interval) AS requests, ' +
      `SUM(_sample_interval * double2) AS errors FROM ${METRICS_DATASET_NAME} WHERE index1 = '${name}' ` +
      `AND blob1 = '${ownerId}' ` +
      `AND timestamp > NOW() - INTERVAL '1' DAY GROUP BY minute, bucket ORDER BY minute FORMAT JSON`
    const { baseUrl, accountId, apiToken } = this.api
    const response = await this.send(`${baseUrl}/accounts/${encodeURIComponent(accountId)}/analytics_engine/sql`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiToken}` },
      body: query,
    })
    if (!response.ok) {
      throw new PlatformError('cloudflare_api_error', `The Analytics Engine SQL API answered ${response.status}.`)
    }
    const body = await response.json().catch(() => undefined)
    const { data } = parseOr(answerSchema, body, (problem) => {
      return new PlatformError(
        'cloudflare_api_error',
        `The Analytics Engine SQL API's answer is off its documented shape: ${problem}.`,
      )
    })
    const minutes = new Map<number, MinuteRow>()
    for (const point of data) {
      const at = point.minute * MINUTE_MS
      const { bucket } = point
      if (at < from || !(bucket >= 0 && bucket < BUCKETS)) continue
      const row = minutes.get(at) ?? { at, ...emptyMinute() }
      row.requests += point.requests
      row.errors += point.errors
      row.histogram[bucket] = (row.histogram[bucket] ?? 0) + point.requests
      minutes.set(at, row)
    }
    return [...minutes.values()]
  }

  /** Data points cannot be deleted; reads start at the worker's creation, so a re-created name starts empty. */
  forget(): Promise<void> {
    return Promise.resolve()
  }

  /** Nothing waits in memory. */
  flush(): Promise<void> {
    return Promise.resolve()
  }
}
