// CSV by RFC 4180, for exports people open in spreadsheets. Hand-written: csv-stringify's sync
// build adds 9.9 KB gzip to the dispatch Worker (esbuild --minify, measured 2026-12), for a few lines.

/** One CSV line: every field that needs it quoted, and none can start a spreadsheet formula. */
export function csvLine(fields: readonly (string | number | undefined | null)[]): string {
  return fields.map((field) => csvField(field ?? '')).join(',')
}

function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value)
  // A leading = + - @ (or tab/CR) would run as a formula in a spreadsheet (CSV injection).
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** A CSV document: the header, then the rows, each line ending in a newline. */
export function csvDocument(
  header: readonly string[],
  rows: readonly (readonly (string | number | undefined | null)[])[],
): string {
  return [header, ...rows].map((fields) => `${csvLine(fields)}\n`).join('')
}
