import type { WorkerBundle } from '../core/model'

// How the platform runs a user Worker's scheduled(). `Fetcher.scheduled()` on a loader stub or a
// dispatcher.get() stub needs the `service_binding_extra_handlers` compatibility flag on the calling
// Worker, which is experimental (cannot be deployed), and dispatcher.get() offers no RPC entrypoint.
// So the platform puts a small main module of its own in front of the worker's: it passes every
// request on, except the platform's own scheduled request, for which it calls scheduled().

/** The wrapper's module name; uploads may not use it (see deploy/bundle.ts). */
export const SCHEDULED_MODULE = '__platform_scheduled.js'

/**
 * Marks the platform's scheduled request. Only the platform sends it: every client request loses it
 * before it reaches a user Worker (see backends/dispatch-namespace.ts), and on dynamic-workers only
 * the isolate that runs scheduled() has the wrapper at all.
 */
export const SCHEDULED_HEADER = 'x-platform-scheduled'

/** What a scheduled run is told, as Cloudflare's ScheduledController. */
export interface ScheduledEvent {
  cron: string
  scheduledTime: number
}

/** The request that makes the wrapper run scheduled(). */
export function scheduledRequest(event: ScheduledEvent): Request {
  return new Request('https://scheduled.invalid/', {
    method: 'POST',
    headers: { [SCHEDULED_HEADER]: '1', 'content-type': 'application/json' },
    body: JSON.stringify({ cron: event.cron, scheduledTime: event.scheduledTime }),
  })
}

/** The bundle with the wrapper as its main module (ES-module Workers only). */
export function withScheduledEntry(bundle: WorkerBundle): WorkerBundle {
  return {
    mainModule: SCHEDULED_MODULE,
    modules: [...bundle.modules, { name: SCHEDULED_MODULE, type: 'esm', content: wrapperSource(bundle.mainModule) }],
  }
}

/** The bundle as uploaded, without the wrapper (for "upload a new version"). */
export function withoutScheduledEntry(bundle: WorkerBundle): WorkerBundle {
  const wrapper = bundle.modules.find((module) => module.name === SCHEDULED_MODULE)
  if (!wrapper || bundle.mainModule !== SCHEDULED_MODULE) return bundle
  const main = /^import \* as user from ("(?:[^"\\]|\\.)*");$/m.exec(wrapper.content)?.[1]
  return {
    mainModule: main ? (JSON.parse(main) as string).replace(/^\.\//, '') : bundle.mainModule,
    modules: bundle.modules.filter((module) => module !== wrapper),
  }
}

// Kept short: it is a string in the dispatch Worker's bundle. A WorkerEntrypoint class gets
// scheduled(controller) with env and ctx on `this`; an object gets scheduled(controller, env, ctx).
function wrapperSource(mainModule: string): string {
  const main = JSON.stringify(`./${mainModule}`)
  return `// Added by the platform to run scheduled(); not part of your upload.
import * as user from ${main};
export * from ${main};
const h = user.default, S = (r) => r.headers.has("${SCHEDULED_HEADER}");
const c = async (r) => ({ ...(await r.json()), type: "scheduled", noRetry() {} });
const ok = () => new Response(null, { status: 204 });
let w;
if (typeof h === "function") w = class extends h {
  async fetch(r) { return S(r) ? (await this.scheduled(await c(r)), ok()) : super.fetch(r); }
};
else (w = Object.create(h)).fetch = async (r, e, x) => S(r) ? (await h.scheduled(await c(r), e, x), ok()) : h.fetch(r, e, x);
export default w;
`
}
