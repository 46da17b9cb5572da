import type { WorkerBundle } from '../core/model'

// What a user Worker writes with console.* reaches the operator's terminal under `wrangler dev`
// (and every log view): raw escape sequences there could recolour, retitle or clear it, or fake a
// line of the platform's own. The platform puts a module of its own in front of the worker's that
// shows control characters in string arguments escaped ("\u001b"), before any of the worker's
// code runs. Objects are left alone: the runtime's inspector already escapes strings inside them.

/** The guard's module and the main module that loads it first; uploads may not use the names (deploy/bundle.ts). */
export const CONSOLE_GUARD_MODULE = '__platform_console.js'
export const GUARDED_MAIN_MODULE = '__platform_main.js'

/** C0 and C1 control characters but tab and newline: one pass over each string, no backtracking. */
// eslint-disable-next-line no-control-regex -- control characters are what the guard looks for
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

/** The guard itself: one statement in a scope of its own, so it can lead a script without a clash of names. */
const GUARD = `(() => { const controls = ${CONTROL_CHARACTERS.toString()}; const escape = (value) => typeof value === "string" ? value.replace(controls, (c) => "\\\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")) : value; for (const level of ["log", "info", "warn", "error", "debug", "trace"]) { const original = console[level]; console[level] = (...args) => original.apply(console, args.map(escape)); } })();`

/**
 * The bundle as the runtime loads it: the guard first, then the worker. An ES-module Worker gets a
 * main module that imports the guard and re-exports the worker's main; a service-worker script
 * (which cannot import) gets the guard in front of its code, on its first line, so the worker's
 * line numbers move by one only.
 */
export function withConsoleGuard(bundle: WorkerBundle): WorkerBundle {
  const main = bundle.modules.find((module) => module.name === bundle.mainModule)
  if (main?.type === 'service-worker') {
    const guarded = { ...main, content: `${GUARD}\n${main.content}` }
    return { ...bundle, modules: bundle.modules.map((module) => (module === main ? guarded : module)) }
  }
  const path = JSON.stringify(`./${bundle.mainModule}`)
  const entry = `import "./${CONSOLE_GUARD_MODULE}";
import * as worker from ${path};
export * from ${path};
export default worker.default;
`
  return {
    mainModule: GUARDED_MAIN_MODULE,
    modules: [
      ...bundle.modules,
      {
        name: CONSOLE_GUARD_MODULE,
        type: 'esm',
        content: `// Provided by the platform: control characters in console output are shown escaped.\n${GUARD}\n`,
      },
      { name: GUARDED_MAIN_MODULE, type: 'esm', content: entry },
    ],
  }
}
