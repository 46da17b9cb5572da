// Node's built-in modules, which the Workers runtime provides under nodejs_compat: never npm packages
// to install, and without the flag an import of one is the tenant's error (bundle.ts says which flag).
const NODE_BUILTINS = new Set(
  'assert async_hooks buffer child_process cluster console constants crypto dgram diagnostics_channel dns domain events fs http http2 https inspector module net os path perf_hooks process punycode querystring readline repl stream string_decoder sys test timers tls trace_events tty url util v8 vm wasi worker_threads zlib'.split(
    ' ',
  ),
)

/** "node:fs", "fs", "fs/promises"; not "fs-extra" or "@scope/fs". */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0] ?? '')
}
