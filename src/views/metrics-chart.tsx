import type { FC } from 'hono/jsx'
import { METRICS_WINDOW_MS, MINUTE_MS, minuteOf, type MetricsReport, type MinuteSummary } from '../metrics/metrics'

// Drawing units of the chart (its viewBox); the SVG scales to the page's width.
const WIDTH = 640
const LEFT = 44
const RIGHT = 8
const TOP = 8
const AXIS = 140
const HEIGHT = 164
const PLOT = WIDTH - LEFT - RIGHT
const HOUR_MS = 60 * MINUTE_MS

/**
 * What the chart can show, shortest first, each with the interval of its time labels: it zooms to the
 * shortest that holds every minute with traffic, so traffic of the last few minutes is not a sliver
 * at the right edge of a day. The last is the whole window the report covers.
 */
interface Span {
  ms: number
  tickMs: number
}
const WHOLE_WINDOW: Span = { ms: METRICS_WINDOW_MS, tickMs: 6 * HOUR_MS }
const SPANS: readonly Span[] = [
  ...[
    { ms: HOUR_MS, tickMs: 10 * MINUTE_MS },
    { ms: 6 * HOUR_MS, tickMs: HOUR_MS },
  ].filter((span) => span.ms < METRICS_WINDOW_MS),
  WHOLE_WINDOW,
]

/**
 * Requests and errors per minute, drawn on the server (no JavaScript): one bar per minute with
 * traffic, over the last hour, 6 hours or 24 hours, whichever is the shortest that holds it all. For
 * assistive technology the SVG is one image with a title and a description (totals, peak), and the
 * numbers are in a table per hour below it.
 */
export const MetricsChart: FC<{ report: MetricsReport }> = ({ report }) => {
  const end = minuteOf(Date.parse(report.to))
  const windowStart = end - (METRICS_WINDOW_MS / MINUTE_MS - 1) * MINUTE_MS
  const minutes = report.minutes.filter((minute) => Date.parse(minute.at) >= windowStart)
  const span = chartSpan(minutes, end)
  const slots = span.ms / MINUTE_MS
  const start = end - (slots - 1) * MINUTE_MS
  const shown = minutes.filter((minute) => Date.parse(minute.at) >= start)
  const peak = minutes.reduce<MinuteSummary | undefined>((a, b) => (a && a.requests >= b.requests ? a : b), undefined)
  const top = niceCeiling(peak?.requests ?? 0)
  const slot = PLOT / slots
  const x = (at: string) => (LEFT + ((Date.parse(at) - start) / MINUTE_MS + 0.5) * slot).toFixed(1)
  const y = (count: number) => (AXIS - (count / top) * (AXIS - TOP)).toFixed(1)
  const bars = (value: (minute: MinuteSummary) => number) =>
    shown
      .filter((minute) => value(minute) > 0)
      .map((minute) => `M${x(minute.at)} ${AXIS}V${y(value(minute))}`)
      .join('')
  // A bar is most of its minute's width when there is room, and never thinner than 2 units.
  const barWidth = Math.max(2, Math.floor(slot * 0.6))
  const { totals } = report
  const timings = totals.p50Ms === null ? '' : `; wall time p50 ${totals.p50Ms} ms, p99 ${totals.p99Ms} ms`
  const summary =
    `${count(totals.requests, 'request')} and ${count(totals.errors, 'error')} in the ${last(METRICS_WINDOW_MS)}` +
    (peak ? `; peak ${count(peak.requests, 'request')} per minute at ${clock(peak.at)} UTC` : '') +
    timings
  const hours = perHour(minutes)
  return (
    <section aria-labelledby="metrics-heading">
      <h2 id="metrics-heading">Traffic</h2>
      <div class="card chart">
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="img"
          aria-labelledby="metrics-title"
          aria-describedby="metrics-desc"
        >
          <title id="metrics-title">{`Requests and errors per minute, ${last(span.ms)} (UTC)`}</title>
          <desc id="metrics-desc">{summary}.</desc>
          <path d={`M${LEFT} ${TOP}V${AXIS}H${WIDTH - RIGHT}`} fill="none" stroke="#8a8a94" />
          <text x={LEFT - 4} y={TOP + 10} text-anchor="end" font-size="12">
            {top}
          </text>
          <text x={LEFT - 4} y={AXIS} text-anchor="end" font-size="12">
            0
          </text>
          {ticks(start, end, span.tickMs).map((at) => (
            <text x={x(at)} y={AXIS + 18} text-anchor="middle" font-size="12">
              {clock(at)}
            </text>
          ))}
          <path d={bars((minute) => minute.requests)} stroke="#1d4ed8" stroke-width={barWidth} />
          <path d={bars((minute) => minute.errors)} stroke="#a1121a" stroke-width={barWidth} />
        </svg>
        <p class="hint">
          <span class="key requests" /> requests <span class="key errors" /> errors per minute (UTC). {summary}.
        </p>
        {hours.length > 0 && (
          <details>
            <summary>The numbers, per hour</summary>
            <div class="table-wrap">
              <table>
                <caption>Requests and errors per hour (UTC); hours without requests are left out</caption>
                <thead>
                  <tr>
                    <th scope="col">Hour (UTC)</th>
                    <th scope="col">Requests</th>
                    <th scope="col">Errors</th>
                  </tr>
                </thead>
                <tbody>
                  {hours.map((hour) => (
                    <tr>
                      <td>
                        <time datetime={hour.at}>{hour.at.slice(0, 16).replace('T', ' ')}</time>
                      </td>
                      <td>{hour.requests}</td>
                      <td>{hour.errors}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        )}
      </div>
    </section>
  )
}

/** The shortest span that holds every minute with traffic (the whole window when there is none). */
function chartSpan(minutes: MinuteSummary[], end: number): Span {
  const oldest = minutes[0] && Date.parse(minutes[0].at)
  if (oldest === undefined) return WHOLE_WINDOW
  return SPANS.find((span) => oldest >= end - span.ms + MINUTE_MS) ?? WHOLE_WINDOW
}

/** "last hour", "last 6 hours", "last 24 hours". */
function last(ms: number): string {
  const hours = ms / HOUR_MS
  return hours === 1 ? 'last hour' : `last ${hours} hours`
}

/** Each whole multiple of `every` (UTC) in the span, a sixth of `every` clear of its ends for a centred label. */
function ticks(start: number, end: number, every: number): string[] {
  const times: string[] = []
  const margin = every / 6
  for (let at = Math.ceil((start + margin) / every) * every; at < end - margin; at += every) {
    times.push(new Date(at).toISOString())
  }
  return times
}

/** The minutes summed per hour, oldest first. */
function perHour(minutes: MinuteSummary[]): { at: string; requests: number; errors: number }[] {
  const hours = new Map<number, { at: string; requests: number; errors: number }>()
  for (const minute of minutes) {
    const at = Date.parse(minute.at)
    const hour = at - (at % HOUR_MS)
    const sum = hours.get(hour) ?? { at: new Date(hour).toISOString(), requests: 0, errors: 0 }
    sum.requests += minute.requests
    sum.errors += minute.errors
    hours.set(hour, sum)
  }
  return [...hours.values()]
}

/** The smallest 1, 2 or 5 × 10ⁿ at or above `value` (at least 1): the y axis's top. */
function niceCeiling(value: number): number {
  let step = 1
  for (;;) {
    for (const factor of [1, 2, 5]) if (step * factor >= value) return step * factor
    step *= 10
  }
}

function count(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`
}

/** "HH:MM" of an ISO time (UTC). */
function clock(iso: string): string {
  return iso.slice(11, 16)
}
