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

/** Must match the platform's default USER_WORKERS_COMPATIBILITY_DATE (src/platform/config.ts DEFAULTS). */
export const USER_COMPATIBILITY_DATE = '2026-11-01'
