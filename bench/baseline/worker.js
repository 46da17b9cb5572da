import { DurableObject, WorkerEntrypoint, exports } from 'cloudflare:workers'
import {
  COLD_SIZES,
  FETCH_SCRIPT,
  HELLO_SCRIPT,
  USER_COMPATIBILITY_DATE,
  coldScript,
  tenantScript,
} from '../user-script.mjs'
// The platform's own confinement, so the /sandboxed baseline makes exactly the copy dispatch makes.
import { confine } from '../../src/middleware/confinement.ts'

/** A Durable Object that answers a one-row query, as the platform's TenantDatabase does for env.DB. */
export class BenchDatabase extends DurableObject {
  query(id) {
    const sql = this.ctx.storage.sql
    sql.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)')
    sql.exec("INSERT OR IGNORE INTO t VALUES (1, 'value')")
    return sql.exec('SELECT v FROM t WHERE id = ?', id).one().v
  }
}

/**
 * The Durable Object row's bare host (bench/storage.mjs, "/loaded/do"): a loaded Worker's class run
 * as a facet of this object, with nothing else in between — what the platform's TenantObject does
 * for a tenant's object, without the index, the deployment check or the alarm routing.
 */
export class BenchFacetHost extends DurableObject {
  read() {
    const facet = this.ctx.facets.get('app', () => ({
      class: this.env.LOADER.get('bench-baseline-object', codeOf(OBJECT_SCRIPT)).getDurableObjectClass('Counter'),
    }))
    return facet.read()
  }
}

/**
 * The Durable Object row's second baseline ("/loaded/do-entry"): the same bare host reached through
 * an entrypoint that only forwards — the hop the platform's binding makes (a tenant cannot be given
 * a namespace of the platform's objects, only an entrypoint that names its own).
 */
export class ForwardingObjects extends WorkerEntrypoint {
  read() {
    return this.env.BENCH_OBJECTS.getByName('bench').read()
  }
}

/**
 * The least a Worker on the loader can be given for KV: a KV binding cannot be passed in a loaded
 * Worker's env (DataCloneError), so it is reached through an entrypoint, as the platform's TenantKV
 * is, but one that only forwards (no prefix, no quota).
 */
export class DirectKV extends WorkerEntrypoint {
  get(key) {
    return this.env.BENCH_KV.get(key)
  }
}

/** The cold-start row's wired baseline: an outbound gate that only forwards, as the platform's checks and forwards. */
export class ForwardingGate extends WorkerEntrypoint {
  fetch(request) {
    return fetch(request)
  }
}

/** …and a tail consumer that keeps nothing, where the platform's keeps the worker's recent logs. */
export class IgnoringTail extends WorkerEntrypoint {
  tail() {}
}

// The storage rows' loaded baseline (bench/storage.mjs, "/loaded/kv" and "/loaded/sql"): a user
// Worker on the bare loader with the bindings as directly as the runtime passes them: the pass-through
// entrypoint for KV, the Durable Object's stub itself for SQL.
const STORAGE_SCRIPT = `export default {
  async fetch(request, env) {
    if (request.url.endsWith("/kv")) return new Response(await env.KV.get("k"));
    if (request.url.endsWith("/do")) return new Response(String(await env.OBJ.read()));
    if (request.url.endsWith("/do-entry")) return new Response(String(await env.OBJ_ENTRY.read()));
    return new Response(await env.DB.query(1));
  },
};`

// The object's class, the same as the platform's tenant has (bench/storage.mjs).
const OBJECT_SCRIPT = `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  read() {
    return this.ctx.storage.kv.get("count") ?? 0;
  }
}
export default { fetch: () => new Response("ok") };`

// One fixed ID per script: the loader builds the isolate once and reuses it, as the platform does
// per Worker ID.
const WORKER_ID = 'bench-baseline-hello'
const FETCHER_ID = 'bench-baseline-fetcher'

// Same shape the platform gives the loader (src/backends/dynamic-workers.ts): no bindings.
// No globalOutbound: the user script's fetch() goes straight out, without the platform's gate.
const codeOf = (script) => () => ({
  compatibilityDate: USER_COMPATIBILITY_DATE,
  mainModule: 'worker.js',
  modules: { 'worker.js': { js: script } },
  env: {},
})
const code = codeOf(HELLO_SCRIPT)
const fetcherCode = codeOf(FETCH_SCRIPT)
// The cold-start row's scripts (bench/cold.mjs), held in memory: "/cold/<bytes>/<id>" loads one
// under an ID never used before, so each such request pays a whole isolate start and nothing else.
const coldCode = new Map(COLD_SIZES.map(({ bytes }) => [String(bytes), codeOf(coldScript(bytes))]))

/** The cold-start script of `bytes` as kept in KV (written on first use): read and decoded, as a load from storage does. */
async function storedCode(kv, bytes) {
  const key = `code-${bytes}`
  let stored = await kv.get(key, 'arrayBuffer')
  if (stored === null) {
    stored = new TextEncoder().encode(coldScript(Number(bytes))).buffer
    await kv.put(key, stored)
  }
  return { ...coldCode.get(bytes)(), modules: { 'worker.js': { js: new TextDecoder().decode(stored) } } }
}

// The platform's default sandbox for the shared origin (src/core/config.ts).
const SANDBOX = 'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads'

export default {
  async fetch(request, env) {
    if (request.url.includes('/loaded/')) {
      const code = () => ({
        ...codeOf(STORAGE_SCRIPT)(),
        env: {
          KV: exports.DirectKV({}),
          DB: env.BENCH_DB.getByName('bench'),
          OBJ: env.BENCH_OBJECTS.getByName('bench'),
          OBJ_ENTRY: exports.ForwardingObjects({}),
        },
      })
      return env.LOADER.get('bench-baseline-storage', code).getEntrypoint().fetch(request)
    }
    // "/kv" and "/sql": the storage rows' baselines (bench/storage.mjs), the bindings used directly.
    if (request.url.endsWith('/kv')) {
      // Written by the first request only (the harness's check), then only read.
      const value = await env.BENCH_KV.get('k')
      if (value === null) await env.BENCH_KV.put('k', 'value')
      return new Response(value ?? 'value')
    }
    if (request.url.endsWith('/sql')) return new Response(await env.BENCH_DB.getByName('bench').query(1))
    // "/tenant-<i>": the 1,000-tenants row's floor (bench/tenants.mjs), one loader ID per tenant.
    const tenant = /\/(tenant-\d+)$/.exec(new URL(request.url).pathname)
    if (tenant)
      return env.LOADER.get(tenant[1], codeOf(tenantScript(tenant[1])))
        .getEntrypoint()
        .fetch(request)
    // "/cold/…" loads the code alone; "/cold-wired/…" with what the platform wires into every user
    // Worker it loads: an outbound gate and, for 15 minutes after a deploy, a tail.
    // "/cold-stored/…" reads the code from KV in the loader's callback, as any platform that keeps
    // code in KV must: the floor under the platform's cold start from storage.
    const cold = /\/cold(-wired|-stored)?\/(\d+)\/([\w-]+)$/.exec(new URL(request.url).pathname)
    if (cold?.[1] === '-stored' && coldCode.has(cold[2])) {
      const [, , bytes, id] = cold
      return env.LOADER.get(`cold-stored-${bytes}-${id}`, () => storedCode(env.BENCH_KV, bytes))
        .getEntrypoint()
        .fetch(request)
    }
    if (cold && coldCode.has(cold[2])) {
      const [, wired, bytes, id] = cold
      const code = coldCode.get(bytes)
      const wiredCode = () => ({
        ...code(),
        globalOutbound: exports.ForwardingGate({}),
        tails: [exports.IgnoringTail({})],
      })
      const worker = env.LOADER.get(`cold${wired ?? ''}-${bytes}-${id}`, wired ? wiredCode : code)
      // The platform's default limits (src/core/config.ts), which it passes on every call.
      return worker
        .getEntrypoint(undefined, wired ? { limits: { cpuMs: 50, subRequests: 50 } } : undefined)
        .fetch(request)
    }
    // "/fetcher?u=…": one outbound fetch, ungated (the egress case, bench/egress.mjs).
    if (request.url.includes('/fetcher?')) {
      return env.LOADER.get(FETCHER_ID, fetcherCode).getEntrypoint().fetch(request)
    }
    const response = env.LOADER.get(WORKER_ID, code).getEntrypoint().fetch(request)
    // "/sandboxed": the bare baseline plus only the security copy, to separate its cost from the rest.
    return request.url.endsWith('/sandboxed') ? response.then((answer) => confine(answer, SANDBOX)) : response
  },
}
