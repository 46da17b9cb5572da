// How numbers and times read on pages and in messages, each written once.

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`
}

/** An ISO timestamp as "2026-11-30 20:07:16 UTC"; empty stays a dash. */
export function formatTime(iso: string): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '—'
}

/** A whole number of minutes or seconds, for durations in copy ("15 minutes"). */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return plural(ms / 60_000, 'minute')
  return plural(Math.round(ms / 1000), 'second')
}

/** At most `max` characters, with an ellipsis when cut (for echoing user input in messages). */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`
}
