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

// Two-sided 95 % quantiles of Student's t by degrees of freedom (n − 1), for a mean's spread.
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131]

/** Mean of a list and the half-width of its 95 % confidence interval (Student's t). */
export function meanAndSpread(values) {
  const n = values.length
  const mean = values.reduce((sum, v) => sum + v, 0) / n
  if (n < 2) return { mean, spread: Number.NaN, min: mean, max: mean }
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1)
  const t = T95[Math.min(n - 1, T95.length) - 1]
  return { mean, spread: (t * Math.sqrt(variance)) / Math.sqrt(n), min: Math.min(...values), max: Math.max(...values) }
}
