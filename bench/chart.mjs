// The bench's table as an SVG chart (bench/results.svg, shown at the top of bench/RESULTS.md): one
// row per measure, a bar from the baseline (1×) to the measure's ratio on a log scale, its interval
// over the rounds where it has one, its target, and its result in colour and in words. Pure
// (renderChart, parseResultsTable), so bench/run.mjs writes it on every run and a test checks it.
//
//   node bench/chart.mjs     re-renders bench/results.svg from the table in bench/RESULTS.md

/** A row of the table: [measure, value, baseline, ratio, target, result] (bench/report.mjs buildRows). */

const WIDTH = 1120
const ROW_HEIGHT = 22
const TOP = 104
const LABEL_X = 16
const PLOT_LEFT = 280
const PLOT_RIGHT = 680
const RATIO_X = 696
const TARGET_X = 830
const RESULT_X = WIDTH - 16
/** The ratio axis, log scale, even around 1×: a ratio outside is drawn to the edge, with an arrow. */
const DOMAIN = [0.4, 2.5]
const TICKS = [0.5, 0.8, 1, 1.25, 2]

const RESULTS = {
  PASS: { color: '#1a7f37', label: 'PASS' },
  FAIL: { color: '#cf222e', label: 'FAIL' },
  INCONCLUSIVE: { color: '#bf8700', label: 'INCONCLUSIVE' },
  info: { color: '#8c959f', label: 'info' },
}

/** PASS, FAIL, INCONCLUSIVE or info (a row judged against nothing: "—"). */
export function resultOf(result) {
  const word = String(result).trim().split(/\s/)[0]
  return word === 'PASS' || word === 'FAIL' || word === 'INCONCLUSIVE' ? word : 'info'
}

/** "0.876× [0.725–1.001] (all …) per CPU s; …", "1.020× ± 0.037", "1.16×" → { ratio, low?, high? }; else undefined. */
export function parseRatio(text) {
  const cell = String(text).trim()
  const match = /^(\d+(?:\.\d+)?)×/.exec(cell)
  if (!match) return undefined
  const ratio = Number(match[1])
  const interval = /^\S+ \[(\d+(?:\.\d+)?)–(\d+(?:\.\d+)?)\]/.exec(cell)
  if (interval) return { ratio, low: Number(interval[1]), high: Number(interval[2]) }
  const plusMinus = /^\S+ ± (\d+(?:\.\d+)?)/.exec(cell)
  if (plusMinus) return { ratio, low: ratio - Number(plusMinus[1]), high: ratio + Number(plusMinus[1]) }
  return { ratio }
}

/** "≥ 0.95×" → { ratio: 0.95, atLeast: true }; a budget row ("budget 100") → { ratio: 1, atLeast: false }. */
export function parseTarget(target, baseline) {
  const match = /^(≥|≤)\s*(\d+(?:\.\d+)?)×/.exec(String(target).trim())
  if (match) return { ratio: Number(match[2]), atLeast: match[1] === '≥' }
  if (/^budget /.test(String(baseline).trim()) && !/^info/.test(target)) return { ratio: 1, atLeast: false }
  return undefined
}

// Short names for the chart's labels (the full measure is each row's tooltip), first match wins;
// a measure none of them knows is cut at its first parenthesis, semicolon or " vs ".
const SHORT_NAMES = [
  [/^Dispatch throughput, .* vs baseline \+ shared-origin sandbox copy/, 'Dispatch req/s vs sandboxed baseline'],
  [/^Dispatch throughput, .* vs bare Worker Loader/, 'Dispatch req/s vs bare loader'],
  [/^Dispatch throughput with log capture on/, 'Dispatch req/s, log capture on vs off'],
  [/^Dispatch latency .*\(1 conn.*added p50/, 'Dispatch added p50, 1 conn'],
  [/^Dispatch latency .* vs sandboxed baseline/, 'Dispatch p50 vs sandboxed, loaded'],
  [/^10,000 workers: throughput/, '10,000 workers vs 10: req/s'],
  [/^10,000 workers: p50 .*\(1 conn/, '10,000 workers vs 10: p50, 1 conn'],
  [/^10,000 workers: p50/, '10,000 workers vs 10: p50, loaded'],
  [/^([\d,]+) tenants round-robin vs one hot tenant/, '$1 tenants vs one hot tenant: req/s'],
  [/^([\d,]+) isolates round-robin on the bare loader/, 'Bare loader: $1 isolates vs one'],
  [/^([\d,]+) tenants: workerd RSS/, '$1 tenants: workerd RSS, evictions'],
  [/^GET \/ \(the list\)/, 'GET / list: 10,000 vs 10 workers'],
  [/^Cold start after a deploy, (\S+ \S+) bundle: first request (p\d+)/, 'Cold start, deployed, $1: $2'],
  [/^Cold start, (\S+ \S+): the bare loader with the platform's wiring/, 'Cold start, $1: bare loader + wiring'],
  [
    /^Cold start from storage, (\S+ \S+): the bare loader reading the code from KV/,
    'Cold start, $1: bare loader from KV',
  ],
  [/^Cold start from storage, (\S+ \S+): first request/, 'Cold start, from storage, $1: p50'],
  [/^Deploy → first response, new name/, 'Deploy → response, new name: p50'],
  [/^Deploy → first response, update/, 'Deploy → response, update: p50'],
  [/^Dispatch Worker bundle, gzip bytes/, 'Dispatch Worker bundle, gzip'],
  [/^Old-or-new under load/, 'Old-or-new under load: bad responses'],
  [/^TypeScript file: upload → first response/, 'TypeScript upload → response: p50'],
  [/^(\d+) npm dependencies, cold build/, 'npm project, cold build: p50'],
  [/^(\d+) npm dependencies, identical re-upload/, 'npm project, cached re-upload: p50'],
  [/^Asset GETs, (\S+ \S+) file/, 'Asset GETs, $1: req/s vs Worker'],
  [/^Tenant (env\.\w+)\S*.* vs a Worker on the bare loader/, '$1 p50 vs bare loader'],
  [/^Tenant (env\.\w+)\S*.* vs the binding called with no loader/, '$1 p50 vs direct binding'],
  [/^Tenant without a storage call/, 'Tenant, no storage call: p50 / p99'],
  [/^Custom hostname dispatch, req\/s/, 'Custom hostname vs <name>.<domain>: req/s'],
  [/^Worker in a 10 % gradual rollout, req\/s/, '10 % rollout vs plain worker: req/s'],
  [/^Dispatch with a daily budget vs without/, 'Budget on vs off: req/s'],
  [/^Dispatch with a daily budget, p50/, 'Budget on vs off: p50'],
  [/^Worker in a 10 % gradual rollout, p50/, '10 % rollout vs plain worker: p50'],
  [/^Custom hostname dispatch, p50/, 'Custom hostname vs <name>.<domain>: p50'],
  [/^Dispatch with metrics on vs off/, 'Metrics on vs off: per CPU s'],
  [/^Metrics hot path alone/, 'Metrics hot path: share of CPU'],
]
const MAX_LABEL = 46

/** The measure's name on the chart. */
export function shortName(measure) {
  for (const [pattern, name] of SHORT_NAMES) {
    const match = pattern.exec(measure)
    if (match) return name.replace(/\$(\d)/g, (_, i) => match[Number(i)] ?? '')
  }
  const cut = measure.split(/ \(|;| vs /)[0].trim()
  return cut.length > MAX_LABEL ? `${cut.slice(0, MAX_LABEL - 1)}…` : cut
}

/** What a row without a ratio shows instead of a bar: its figures. */
function figureOf([, value, baseline, ratio]) {
  if (ratio === '—') return value
  const main = ratio.split(' (all')[0]
  return baseline === '—' ? `${value}; ${main}` : `${main} (${value} vs ${baseline})`
}

/** A ratio as the ratio column shows it: "0.876× [0.725–1.001]", "1.020× ± 0.037", "1.16×". */
const ratioText = (cell) => cell.split(/ \(all| per CPU|;/)[0].trim()

/** A target as the chart's target column shows it. */
function targetText(target) {
  if (/^info\b/.test(target)) return ''
  const short = target.split(' (')[0]
  return short.length > 30 ? `${short.slice(0, 29)}…` : short
}

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])
const fixed = (n) => Number(n.toFixed(1))

/** The x of a ratio on the log axis, clamped to the plot. */
function xOf(ratio) {
  const [min, max] = DOMAIN
  const clamped = Math.min(max, Math.max(min, ratio))
  const share = (Math.log(clamped) - Math.log(min)) / (Math.log(max) - Math.log(min))
  return fixed(PLOT_LEFT + share * (PLOT_RIGHT - PLOT_LEFT))
}

function legend(y) {
  const items = Object.entries(RESULTS).map(
    ([, { color, label }], i) =>
      `<rect x="${LABEL_X + i * 118}" y="${y - 9}" width="12" height="12" rx="2" fill="${color}"/><text x="${LABEL_X + 18 + i * 118}" y="${y + 1}">${label}</text>`,
  )
  const x = LABEL_X + 4 * 118
  return `<g class="legend" font-size="12" fill="#24292f">
${items.join('\n')}
<line x1="${x + 6}" y1="${y - 10}" x2="${x + 6}" y2="${y + 4}" stroke="#24292f" stroke-width="2"/><path d="M ${x + 6} ${y - 10} l 6 3 l -6 3 z" fill="#24292f"/><text x="${x + 18}" y="${y + 1}">target (arrow: the passing side)</text>
<line x1="${x + 230}" y1="${y - 3}" x2="${x + 256}" y2="${y - 3}" stroke="#24292f" stroke-width="1.2"/><line x1="${x + 230}" y1="${y - 7}" x2="${x + 230}" y2="${y + 1}" stroke="#24292f" stroke-width="1.2"/><line x1="${x + 256}" y1="${y - 7}" x2="${x + 256}" y2="${y + 1}" stroke="#24292f" stroke-width="1.2"/><text x="${x + 264}" y="${y + 1}">interval over the rounds</text>
</g>`
}

function axis(top, bottom) {
  const lines = TICKS.map((tick) => {
    const x = xOf(tick)
    const one = tick === 1
    return `<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${bottom}" stroke="${one ? '#24292f' : '#d0d7de'}" stroke-width="${one ? 1.5 : 1}"${one ? '' : ' stroke-dasharray="3 3"'}/>
<text x="${x}" y="${top - 8}" text-anchor="middle"${one ? ' font-weight="600"' : ''}>${tick}×</text>`
  })
  return `<g class="axis" font-size="11" fill="#57606a">\n${lines.join('\n')}\n</g>`
}

function barRow(row, y, parsed) {
  const [measure, , , , target, result] = row
  const kind = resultOf(result)
  const { color } = RESULTS[kind]
  const mid = y + ROW_HEIGHT / 2
  const one = xOf(1)
  const end = xOf(parsed.ratio)
  const parts = [
    `<rect class="bar" x="${Math.min(one, end)}" y="${y + 5}" width="${fixed(Math.max(1.5, Math.abs(end - one)))}" height="${ROW_HEIGHT - 10}" rx="2" fill="${color}" fill-opacity="${kind === 'info' ? 0.55 : 0.85}"/>`,
  ]
  const [min, max] = DOMAIN
  if (parsed.ratio > max)
    parts.push(`<path d="M ${end} ${y + 4} l 7 ${ROW_HEIGHT / 2 - 4} l -7 ${ROW_HEIGHT / 2 - 4} z" fill="${color}"/>`)
  if (parsed.ratio < min)
    parts.push(`<path d="M ${end} ${y + 4} l -7 ${ROW_HEIGHT / 2 - 4} l 7 ${ROW_HEIGHT / 2 - 4} z" fill="${color}"/>`)
  if (parsed.low !== undefined && parsed.high !== undefined) {
    const [a, b] = [xOf(parsed.low), xOf(parsed.high)]
    parts.push(
      `<path class="interval" d="M ${a} ${mid} H ${b} M ${a} ${mid - 4} V ${mid + 4} M ${b} ${mid - 4} V ${mid + 4}" stroke="#24292f" stroke-width="1.2" fill="none"/>`,
    )
  }
  const goal = parseTarget(target, row[2])
  if (goal) {
    const x = xOf(goal.ratio)
    const arrow = goal.atLeast ? 6 : -6
    parts.push(
      `<g class="target"><line x1="${x}" y1="${y + 1}" x2="${x}" y2="${y + ROW_HEIGHT - 1}" stroke="#24292f" stroke-width="2"/><path d="M ${x} ${y + 1} l ${arrow} 3 l ${-arrow} 3 z" fill="#24292f"/></g>`,
    )
  }
  parts.push(`<text x="${RATIO_X}" y="${mid + 4}" font-size="11" fill="#24292f">${escape(ratioText(row[3]))}</text>`)
  return rowGroup(row, y, kind, parts.join(''), measure)
}

function textRow(row, y) {
  const kind = resultOf(row[5])
  const text = figureOf(row)
  const shown = text.length > 64 ? `${text.slice(0, 63)}…` : text
  const body = `<text x="${PLOT_LEFT + 4}" y="${y + ROW_HEIGHT / 2 + 4}" font-size="11" fill="#24292f">${escape(shown)}</text>`
  return rowGroup(row, y, kind, body, row[0])
}

function rowGroup(row, y, kind, body, measure) {
  const { color, label } = RESULTS[kind]
  const mid = y + ROW_HEIGHT / 2 + 4
  return `<g class="row" data-result="${kind}"><title>${escape(measure)} — ${escape(row[3])} — target: ${escape(row[4])} — ${escape(row[5])}</title>
<rect x="0" y="${y}" width="${WIDTH}" height="${ROW_HEIGHT}" fill="transparent"/>
<text x="${LABEL_X}" y="${mid}" fill="#24292f">${escape(shortName(measure))}</text>
${body}
<text x="${TARGET_X}" y="${mid}" fill="#57606a" font-size="11">${escape(targetText(row[4]))}</text>
<text x="${RESULT_X}" y="${mid}" fill="${color}" font-weight="700" text-anchor="end">${label}</text></g>`
}

/**
 * The chart of one run's rows, as an SVG document (no scripts, no external fonts or files).
 * options.date: when the bench ran, for the title.
 */
export function renderChart(rows, { date } = {}) {
  rows = rows.map((row) => row.map((cell) => String(cell).trim()))
  const counts = Object.fromEntries(Object.keys(RESULTS).map((kind) => [kind, 0]))
  for (const row of rows) counts[resultOf(row[5])]++
  const summary = `${rows.length} measures: ${counts.PASS} pass, ${counts.FAIL} fail, ${counts.INCONCLUSIVE} inconclusive, ${counts.info} for information`
  const title = `Benchmark results${date ? ` of ${date}` : ''}: each measure against its baseline`
  const height = TOP + rows.length * ROW_HEIGHT + 40
  const bottom = TOP + rows.length * ROW_HEIGHT
  const body = rows.map((row, i) => {
    const y = TOP + i * ROW_HEIGHT
    const band = i % 2 ? '' : `<rect x="8" y="${y}" width="${WIDTH - 16}" height="${ROW_HEIGHT}" fill="#f6f8fa"/>\n`
    const parsed = parseRatio(row[3])
    return band + (parsed ? barRow(row, y, parsed) : textRow(row, y))
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="chart-title chart-desc" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif" font-size="12">
<title id="chart-title">${escape(title)}</title>
<desc id="chart-desc">${escape(`${summary}. One row per measure of bench/RESULTS.md: a bar from the baseline (1×) to the measure's ratio, log scale; a black tick for its target, its arrow pointing to the passing side; a whisker for the ratio's interval over the rounds. Rows without a ratio show their figure.`)}</desc>
<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>
<text x="${LABEL_X}" y="26" font-size="16" font-weight="700" fill="#24292f">${escape(title)}</text>
<text x="${LABEL_X}" y="46" fill="#57606a">${escape(`${summary}. Bars start at the baseline (1×), log scale; hover a row for its full measure.`)}</text>
${legend(70)}
<g font-size="11" fill="#57606a" font-weight="600"><text x="${LABEL_X}" y="${TOP - 8}">Measure</text><text x="${RATIO_X}" y="${TOP - 8}">Ratio</text><text x="${TARGET_X}" y="${TOP - 8}">Target</text><text x="${RESULT_X}" y="${TOP - 8}" text-anchor="end">Result</text></g>
${axis(TOP, bottom)}
${body.join('\n')}
<text x="${LABEL_X}" y="${bottom + 26}" font-size="11" fill="#57606a">${escape('Written by npm run bench (bench/chart.mjs) from the table in bench/RESULTS.md; ratios are value ÷ baseline, or ÷ budget.')}</text>
</svg>
`
}

/** The rows of the first table of bench/RESULTS.md (its header starts with "| Measure"). */
export function parseResultsTable(markdown) {
  const lines = markdown.split('\n')
  const header = lines.findIndex((line) => /^\|\s*Measure\s*\|/.test(line))
  if (header < 0) throw new Error('no "| Measure |" table found')
  const rows = []
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break
    const cells = line
      .slice(1, line.lastIndexOf('|'))
      .split('|')
      .map((cell) => cell.trim())
    if (cells.length !== 6) throw new Error(`a row of ${cells.length} cells, not 6: ${line.slice(0, 80)}`)
    rows.push(cells)
  }
  return rows
}

/** The run's date from RESULTS.md ("- Date: 2026-12-01 04:21:12 UTC"). */
export function parseDate(markdown) {
  return /^- Date: (.+)$/m.exec(markdown)?.[1]?.trim()
}

const isMain =
  import.meta.main ??
  (globalThis.process?.argv?.[1] !== undefined &&
    decodeURIComponent(new URL(import.meta.url).pathname) === globalThis.process.argv[1])
if (isMain) {
  const { readFileSync, writeFileSync } = await import('node:fs')
  const results = new URL('RESULTS.md', import.meta.url)
  const markdown = readFileSync(results, 'utf8')
  const rows = parseResultsTable(markdown)
  writeFileSync(new URL('results.svg', import.meta.url), renderChart(rows, { date: parseDate(markdown) }))
  console.log(`bench/results.svg: ${rows.length} rows from bench/RESULTS.md.`)
}
