import type { WorkerBundle } from './model'

// How the platform runs a user Worker's scheduled(). `Fetcher.scheduled()` on a loader stub or a
// dispatcher.get() stub needs the `service_binding_extra_handlers` compatibility flag on the calling
// Worker, which is experimental (cannot be deployed), and dispatcher.get() offers no RPC entrypoint.
// So the platform puts a small main module of its own in front of the worker's: it passes every
// request on, except the platform's own scheduled request, for which it calls scheduled().

/** The wrapper's module name; uploads may not use it (see bundle.ts). */
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

function wrapperSource(mainModule: string): string {
  const main = JSON.stringify(`./${mainModule}`)
  return `// Provided by the platform: runs scheduled() when the platform asks. Not part of your upload.
import * as user from ${main};
export * from ${main};
const handler = user.default;
const asked = (request) => request.headers.has(${JSON.stringify(SCHEDULED_HEADER)});
const controller = async (request) => ({ ...(await request.json()), type: "scheduled", noRetry() {} });
let wrapped;
if (typeof handler === "function") {
  // A WorkerEntrypoint class: scheduled(controller), with env and ctx on this.
  wrapped = class extends handler {
    async fetch(request) {
      if (!asked(request)) return super.fetch(request);
      await this.scheduled(await controller(request));
      return new Response(null, { status: 204 });
    }
  };
} else {
  wrapped = Object.create(handler);
  wrapped.fetch = async (request, env, ctx) => {
    if (!asked(request)) return handler.fetch(request, env, ctx);
    await handler.scheduled(await controller(request), env, ctx);
    return new Response(null, { status: 204 });
  };
}
export default wrapped;
`
}
