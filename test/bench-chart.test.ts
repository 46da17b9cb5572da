import { describe, expect, it } from 'vitest'
import results from '../bench/RESULTS.md?raw'
import { type BenchRow, parseRatio, parseResultsTable, parseTarget, renderChart } from '../bench/chart.mjs'

// bench/chart.mjs: the bench's table as the SVG chart at the top of bench/RESULTS.md.

const ROWS: BenchRow[] = [
  [
    'Dispatch throughput, req/s (16 conns) vs baseline',
    '1,251',
    '1,438',
    '0.876× [0.725–1.001] (all 0.66–1.12; 8 rounds) per CPU s',
    '≥ 0.95×',
    'INCONCLUSIVE (median FAIL)',
  ],
  ['Cold start after a deploy, 1 KB bundle: first request p99, ms', '61.76', '17.71', '3.49×', '≤ 1.20×', 'FAIL'],
  [
    'Deploy → first response, new name, p50 / p99 ms (n=50)',
    '27.60 / 32.45',
    'budget 100',
    '0.28×',
    'p50 < 100 ms',
    'PASS',
  ],
  ['Dispatch Worker bundle, gzip bytes', '66,048', 'budget 50,000', '1.32×', '≤ 50 KB', 'FAIL'],
  ['Dispatch with metrics on vs off', '942', '927', '1.020× ± 0.037', '≥ 0.97× (cost ≤ 3 %)', 'INCONCLUSIVE (spread)'],
  ['Tenant <script> & "env.KV"', '0.58 / 0.83', '—', '—', 'info: the dispatch share', '—'],
]

const count = (svg: string, text: string) => svg.split(text).length - 1

describe('bench/chart.mjs', () => {
  it('draws one row per measure, a bar for each with a ratio, a target where it has one', () => {
    const svg = renderChart(ROWS, { date: '2026-12-01' })
    expect(count(svg, '<g class="row"')).toBe(ROWS.length)
    expect(count(svg, 'class="bar"')).toBe(ROWS.length - 1)
    expect(count(svg, '<g class="target">')).toBe(5)
    expect(count(svg, 'class="interval"')).toBe(2)
    expect(svg).toContain('Benchmark results of 2026-12-01')
  })

  it('marks every FAIL, in colour and in words', () => {
    const svg = renderChart(ROWS)
    const rows = svg.split('<g class="row"').slice(1)
    const fails = rows.filter((row) => row.startsWith(' data-result="FAIL"'))
    expect(fails.map((row) => /<title>([^—]+)/.exec(row)?.[1]?.trim())).toEqual([ROWS[1]![0], ROWS[3]![0]])
    for (const row of fails) {
      expect(row).toMatch(/class="bar"[^>]*fill="#cf222e"/)
      expect(row).toMatch(/fill="#cf222e"[^>]*>FAIL<\/text>/)
    }
    expect(count(svg, 'data-result="INCONCLUSIVE"')).toBe(2)
    expect(svg).toContain('2 fail')
  })

  it('is a self-contained, accessible image with the text escaped', () => {
    const svg = renderChart(ROWS)
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="chart-title chart-desc"/)
    expect(svg).toContain('<title id="chart-title">')
    expect(svg).not.toMatch(/<script|href=|@import|url\(/)
    expect(svg).toContain('Tenant &lt;script&gt; &amp; &quot;env.KV&quot;')
  })

  it('reads ratios, intervals and targets as the report writes them', () => {
    expect(parseRatio('0.876× [0.725–1.001] (all 0.66–1.12; 8 rounds)')).toEqual({
      ratio: 0.876,
      low: 0.725,
      high: 1.001,
    })
    expect(parseRatio('1.020× ± 0.037')?.high).toBeCloseTo(1.057)
    expect(parseRatio('+0.067 ms [+0.062–+0.084]')).toBeUndefined()
    expect(parseTarget('≥ 0.80×, 0 errors', '3,255')).toEqual({ ratio: 0.8, atLeast: true })
    expect(parseTarget('p50 < 300 ms', 'budget 300')).toEqual({ ratio: 1, atLeast: false })
    expect(parseTarget('info', '1,351')).toBeUndefined()
  })

  it('charts every row of the table in bench/RESULTS.md', () => {
    const rows = parseResultsTable(results)
    expect(rows.length).toBeGreaterThan(20)
    expect(count(renderChart(rows), '<g class="row"')).toBe(rows.length)
  })
})
