/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

/** p50 and p99 (ms) of a list of durations in ms. */
export function summarize(durations) {
  const sorted = Float64Array.from(durations).sort()
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), samples: sorted.length }
}

/**
 * Median of a list with a distribution-free interval for it: the second-lowest to second-highest
 * value (for 8 values a 93 % confidence interval, by order statistics; 87.5 % for 7), so that one
 * round disturbed by other work on the machine moves neither the figure nor its interval much.
 */
export function medianAndInterval(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
  const trim = n >= 5 ? 1 : 0
  return { median, low: sorted[trim], high: sorted[n - 1 - trim], min: sorted[0], max: sorted[n - 1] }
}
