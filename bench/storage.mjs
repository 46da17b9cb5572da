// Issue #13: a tenant's env.KV.get and one-row env.DB query, p50 at one connection, against the
// same work done with the platform's kind of bindings in the same run. Judged against a user Worker
// on the bare Worker Loader given the bindings as directly as the runtime allows (the baseline's
// "/loaded/…": a pass-through entrypoint for KV, since a KV binding cannot be passed to a loaded
// Worker, and the Durable Object's stub itself for SQL), so both sides run the same kind of code
// in a loaded isolate and the ratio is what the platform's storage layer and dispatch add. The
// bindings called straight from the baseline's own fetch (no loader at all) are listed beside it.
import { runLoad } from './lib/procs.mjs'
import { uploadOrThrow } from './lib/client.mjs'

const TENANT = 'storage-bench'

// The tenant's code: /setup writes the key and the row once; /kv and /sql read them.
const SCRIPT = `export default {
  async fetch(request, env) {
    const path = new URL(request.url).pathname;
    if (path.endsWith("/setup")) {
      await env.KV.put("k", "value");
      await env.DB.exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT); INSERT OR IGNORE INTO t VALUES (1, 'value')");
      return new Response("ok");
    }
    if (path.endsWith("/kv")) return new Response(await env.KV.get("k"));
    if (path.endsWith("/sql")) return new Response(await env.DB.prepare("SELECT v FROM t WHERE id = ?").bind(1).first("v"));
    return new Response("hello");
  },
};`

// Issue #22: a project's declared D1 database and Durable Object, deployed as files through the
// builder: /sql queries APP_DB (a declared binding), /do reads one value in its object by RPC.
const PROJECT_TENANT = 'declared-bench'
const PROJECT = {
  'src/index.js': `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  read() {
    return this.ctx.storage.kv.get("count") ?? 0;
  }
}
export default {
  async fetch(request, env) {
    const path = new URL(request.url).pathname;
    if (path.endsWith("/setup")) {
      await env.APP_DB.exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT); INSERT OR IGNORE INTO t VALUES (1, 'value')");
      return new Response("ok");
    }
    if (path.endsWith("/sql")) return new Response(await env.APP_DB.prepare("SELECT v FROM t WHERE id = ?").bind(1).first("v"));
    if (path.endsWith("/do")) return new Response(String(await env.COUNTER.getByName("bench").read()));
    return new Response("hello");
  },
};`,
  'wrangler.jsonc': JSON.stringify({
    main: 'src/index.js',
    d1_databases: [{ binding: 'APP_DB', database_name: 'app' }],
    durable_objects: { bindings: [{ name: 'COUNTER', class_name: 'Counter' }] },
    migrations: [{ tag: 'v1', new_sqlite_classes: ['Counter'] }],
  }),
}

/** Deploys the storage tenant and checks both sides answer (the baseline writes its key on the first /kv). */
async function prepare(platformUrl, baselineUrl) {
  const body = JSON.stringify({ script: SCRIPT, storage: { kv: true, sql: true } })
  await uploadOrThrow(platformUrl, TENANT, body, undefined, 'application/json')
  for (const path of ['setup', 'kv', 'sql']) {
    const response = await fetch(`${platformUrl}/user-workers/${TENANT}/${path}`)
    const text = await response.text()
    if (!response.ok || text !== (path === 'setup' ? 'ok' : 'value')) {
      throw new Error(`storage tenant /${path}: ${response.status} ${text.slice(0, 200)}`)
    }
  }
  await uploadOrThrow(platformUrl, PROJECT_TENANT, JSON.stringify({ files: PROJECT }), undefined, 'application/json')
  for (const [path, expected] of [
    ['setup', 'ok'],
    ['sql', 'value'],
    ['do', '0'],
  ]) {
    const response = await fetch(`${platformUrl}/user-workers/${PROJECT_TENANT}/${path}`)
    const text = await response.text()
    if (!response.ok || text !== expected) {
      throw new Error(`declared-bindings tenant /${path}: ${response.status} ${text.slice(0, 200)}`)
    }
  }
  for (const [path, expected] of [
    ['kv'],
    ['sql'],
    ['loaded/kv'],
    ['loaded/sql'],
    ['loaded/do', '0'],
    ['loaded/do-entry', '0'],
  ]) {
    const text = await (await fetch(`${baselineUrl}/${path}`)).text()
    if (text !== (expected ?? 'value')) throw new Error(`baseline /${path} answered "${text.slice(0, 200)}"`)
  }
}

/**
 * p50 at one connection for each target: a warm-up each, then `rounds` runs of `seconds`,
 * alternating targets and reversing their order every round; the lowest p50 of each is kept.
 */
export async function measureStorage(platformUrl, baselineUrl, { seconds, rounds }, log) {
  log('storage: env.KV.get and a one-row env.DB query vs the bindings used directly')
  await prepare(platformUrl, baselineUrl)
  const targets = {
    tenantKv: `${platformUrl}/user-workers/${TENANT}/kv`,
    tenantSql: `${platformUrl}/user-workers/${TENANT}/sql`,
    tenantHello: `${platformUrl}/user-workers/${TENANT}/hello`,
    declaredSql: `${platformUrl}/user-workers/${PROJECT_TENANT}/sql`,
    tenantObject: `${platformUrl}/user-workers/${PROJECT_TENANT}/do`,
    loadedKv: `${baselineUrl}/loaded/kv`,
    loadedSql: `${baselineUrl}/loaded/sql`,
    loadedObject: `${baselineUrl}/loaded/do`,
    loadedObjectEntry: `${baselineUrl}/loaded/do-entry`,
    baselineKv: `${baselineUrl}/kv`,
    baselineSql: `${baselineUrl}/sql`,
  }
  const keys = Object.keys(targets)
  const runs = Object.fromEntries(keys.map((key) => [key, []]))
  for (const key of keys) await runLoad(targets[key], 1, 1)
  for (let round = 0; round < rounds; round++) {
    for (const key of round % 2 ? [...keys].reverse() : keys) {
      const run = await runLoad(targets[key], 1, seconds)
      if (run.non2xx || run.errors) throw new Error(`${targets[key]}: ${run.non2xx} non-2xx, ${run.errors} errors`)
      runs[key].push(run)
    }
  }
  return Object.fromEntries(
    keys.map((key) => [key, { best: runs[key].reduce((a, b) => (b.p50 < a.p50 ? b : a)), runs: runs[key] }]),
  )
}
