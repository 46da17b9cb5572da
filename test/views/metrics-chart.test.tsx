import { describe, expect, it } from 'vitest'
import {
  METRICS_WINDOW_MS,
  MINUTE_MS,
  emptyMinute,
  recordRequest,
  reportOf,
  type MinuteRow,
} from '../../src/metrics/metrics'
import { MetricsChart } from '../../src/views/metrics-chart'

const HOUR_MS = 60 * MINUTE_MS
const NOW = Date.parse('2026-05-04T12:34:56.000Z')

/** A report ending now with `requests` requests in each minute `minutesAgo` ago. */
function reportWith(minutesAgo: number[], requests = 3) {
  const rows: MinuteRow[] = minutesAgo.map((ago) => {
    const minute = emptyMinute()
    for (let i = 0; i < requests; i++) recordRequest(minute, i === 0 ? 500 : 200, 12)
    const at = NOW - (NOW % MINUTE_MS) - ago * MINUTE_MS
    return { at, ...minute }
  })
  return reportOf('chart', rows, NOW - METRICS_WINDOW_MS, NOW)
}

async function chartOf(minutesAgo: number[]) {
  // Hono renders a component with no async parts to a string at once (JSX.Element's type allows a promise).
  const html = String(await Promise.resolve(<MetricsChart report={reportWith(minutesAgo)} />))
  const title = /<title id="metrics-title">([^<]*)<\/title>/.exec(html)?.[1]
  const requests = /<path d="([^"]*)" stroke="#1d4ed8" stroke-width="(\d+)"/.exec(html)
  const bars = [...(requests?.[1] ?? '').matchAll(/M([\d.]+) /g)].map((match) => Number(match[1]))
  const ticks = [...html.matchAll(/<text x="[\d.]+" y="158"[^>]*>(\d\d:\d\d)<\/text>/g)].map((match) => match[1])
  return { html, title, bars, width: Number(requests?.[2]), ticks }
}

describe('traffic chart', () => {
  it('zooms to the last hour when all traffic is recent: the minutes are bars apart, not one sliver', async () => {
    const chart = await chartOf([0, 2, 5])
    expect(chart.title).toBe('Requests and errors per minute, last hour (UTC)')
    expect(chart.bars).toHaveLength(3)
    // 588 drawing units over 60 minutes: about 9.8 a minute (over 24 hours it was 0.4).
    expect(chart.bars[1]! - chart.bars[0]!).toBeCloseTo(3 * 9.8, 0)
    expect(chart.bars[2]!).toBeCloseTo(640 - 8 - 9.8 / 2, 0)
    expect(chart.width).toBeGreaterThan(2)
    expect(chart.ticks).toEqual(['11:40', '11:50', '12:00', '12:10', '12:20', '12:30'])
    // The totals still cover the whole window the report reads.
    expect(chart.html).toContain('9 requests and 3 errors in the last 24 hours')
  })

  it('zooms out as far as the oldest traffic: 6 hours, then the whole 24', async () => {
    const sixHours = await chartOf([0, 3 * 60])
    expect(sixHours.title).toBe('Requests and errors per minute, last 6 hours (UTC)')
    expect(sixHours.ticks).toEqual(['07:00', '08:00', '09:00', '10:00', '11:00', '12:00'])
    const day = await chartOf([0, 20 * 60])
    expect(day.title).toBe('Requests and errors per minute, last 24 hours (UTC)')
    expect(day.width).toBe(2)
    expect(day.bars[1]! - day.bars[0]!).toBeCloseTo((20 * 60 * 588) / (METRICS_WINDOW_MS / MINUTE_MS), 0)
  })

  it('an hour that is just full still fits the hour; one minute more does not', async () => {
    expect((await chartOf([59])).title).toContain('last hour')
    expect((await chartOf([60])).title).toContain('last 6 hours')
    expect((await chartOf([6 * 60 - 1])).title).toContain('last 6 hours')
    expect((await chartOf([6 * 60])).title).toContain('last 24 hours')
  })

  it('without traffic shows the whole window', async () => {
    const chart = await chartOf([])
    expect(chart.title).toBe(`Requests and errors per minute, last ${METRICS_WINDOW_MS / HOUR_MS} hours (UTC)`)
    expect(chart.bars).toEqual([])
  })
})
