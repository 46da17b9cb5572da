// Types of bench/chart.mjs, for test/bench-chart.test.ts.

/** A row of the bench's table: [measure, value, baseline, ratio, target, result]. */
export type BenchRow = readonly [string, string, string, string, string, string]

export type Result = 'PASS' | 'FAIL' | 'INCONCLUSIVE' | 'info'

export function resultOf(result: string): Result
export function parseRatio(text: string): { ratio: number; low?: number; high?: number } | undefined
export function parseTarget(target: string, baseline: string): { ratio: number; atLeast: boolean } | undefined
export function shortName(measure: string): string
export function renderChart(rows: readonly BenchRow[], options?: { date?: string }): string
export function parseResultsTable(markdown: string): BenchRow[]
export function parseDate(markdown: string): string | undefined
