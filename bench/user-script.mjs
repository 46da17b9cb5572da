// The user Worker both sides of the dispatch benchmark run: uploaded to the platform as "hello",
// and embedded in the baseline Worker (bench/baseline/worker.js). Keep the two identical.
export const HELLO_BODY = 'Hello from a user Worker!'

export const HELLO_SCRIPT = `export default {
  async fetch(request) {
    return new Response(${JSON.stringify(HELLO_BODY)});
  },
};`

/**
 * A user Worker that makes one outbound fetch() per request, to the URL in `?u=`, and answers with
 * what it got: the egress case (bench/egress.mjs) runs it on both sides.
 */
export const FETCH_SCRIPT = `export default {
  async fetch(request) {
    const target = new URL(request.url).searchParams.get("u");
    const response = await fetch(target);
    return new Response(await response.text(), { status: response.status });
  },
};`

/** A user Worker whose response names its version, so a reader can tell which upload served it. */
export const versionScript = (version) => `export default {
  async fetch(request) {
    return new Response(${JSON.stringify(version)});
  },
};`

/** Must match the platform's default USER_WORKERS_COMPATIBILITY_DATE (src/core/config.ts DEFAULTS). */
export const USER_COMPATIBILITY_DATE = '2026-11-01'

/**
 * The cold-start row's user Worker (bench/cold.mjs), about `bytes` bytes: a data table as an array
 * literal that the module evaluates when it loads (as a bundled app carries its data or a big
 * dependency), answering with its row count. The platform deploys it; the baseline holds the same
 * text in memory (bench/baseline/worker.js). Deterministic, so both sides run identical code.
 */
export function coldScript(bytes) {
  const head = 'const ROWS = [\n'
  const tail = `];
export default {
  async fetch() {
    return new Response(\`cold \${ROWS.length} rows, \${ROWS[ROWS.length - 1].name}\`);
  },
};`
  const rows = []
  let size = head.length + tail.length
  for (let i = 0; size < bytes; i++) {
    const row = `  { id: ${i}, name: "item-${i.toString(36)}", tags: ["t${i % 7}", "g${i % 13}"], score: ${(i % 1000) / 1000} },\n`
    if (size + row.length > bytes && rows.length > 0) break
    rows.push(row)
    size += row.length
  }
  return head + rows.join('') + tail
}

/** What coldScript(bytes) answers. */
export function coldBody(bytes) {
  const count = coldScript(bytes).split('\n  { id: ').length - 1
  return `cold ${count} rows, item-${(count - 1).toString(36)}`
}

/**
 * The thousand-tenants row's user Worker (bench/tenants.mjs): each tenant answers with its own name
 * and an ID drawn once per isolate (random values are only allowed inside a request), so a second
 * probe can tell whether the loader evicted the isolate and loaded it again.
 */
export const tenantScript = (name) => `let isolate;
export default {
  async fetch() {
    isolate ??= crypto.randomUUID();
    return new Response(${JSON.stringify(name)} + " " + isolate);
  },
};`

/** The cold-start row's bundle sizes (just under the platform's default 1 MiB script limit). */
export const COLD_SIZES = [
  { label: '1 KB', bytes: 1_000 },
  { label: '1 MB', bytes: 1_000_000 },
]
