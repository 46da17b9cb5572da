import { describe, expect, it } from 'vitest'
import { declaredWrangler, uniqueName } from '../helpers'
import { bothBackends } from '../backends/namespace-double'

// The storage quotas count across a worker's stores (storage/grants.ts): vitest.config.ts sets
// TENANT_KV_MAX_KEYS to 40 and TENANT_SQL_MAX_BYTES to 1 MiB for the whole worker, not per store.

const WORKER = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const store = url.searchParams.get("store");
    const count = Number(url.searchParams.get("count") ?? "1");
    const from = Number(url.searchParams.get("from") ?? "0");
    try {
      if (url.pathname.endsWith("/kv-put")) {
        for (let i = from; i < from + count; i++) await env[store].put("k" + i, "v");
      } else if (url.pathname.endsWith("/kv-delete")) {
        for (let i = from; i < from + count; i++) await env[store].delete("k" + i);
      } else if (url.pathname.endsWith("/sql-fill")) {
        await env[store].exec("CREATE TABLE IF NOT EXISTS blobs (b BLOB)");
        const kib = Number(url.searchParams.get("kib"));
        await env[store].prepare("INSERT INTO blobs VALUES (zeroblob(?))").bind(kib * 1024).run();
      } else if (url.pathname.endsWith("/sql-clear")) {
        await env[store].exec("DROP TABLE IF EXISTS blobs");
      }
      return new Response("ok");
    } catch (error) {
      return new Response(String(error.message ?? error), { status: 500 });
    }
  },
};`

describe.each(bothBackends(5))('storage quotas across stores on $kind', ({ call }) => {
  async function deploy() {
    const name = uniqueName('shared-quota')
    const res = await call(`/api/workers/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        files: {
          'src/index.js': WORKER,
          'wrangler.json': declaredWrangler({
            kv: [{ binding: 'CACHE' }, { binding: 'SESSIONS' }],
            d1: [
              { binding: 'MAIN', migrationsDir: 'migrations' },
              { binding: 'LOGS', migrationsDir: 'migrations' },
            ],
          }),
        },
      }),
    })
    expect(res.status, await res.clone().text()).toBe(201)
    return (path: string) => call(`/user-workers/${name}/${path}`)
  }

  it('TENANT_KV_MAX_KEYS: keys in one KV store leave the rest for the others, and deleting gives them back', async () => {
    const run = await deploy()
    expect(await (await run('kv-put?store=CACHE&count=30')).text()).toBe('ok')
    expect(await (await run('kv-put?store=SESSIONS&count=10')).text()).toBe('ok')
    const refused = await run('kv-put?store=SESSIONS&count=1&from=10')
    expect(refused.status).toBe(500)
    expect(await refused.text()).toContain('TENANT_KV_MAX_KEYS exceeded: this worker may keep at most 40 keys')
    // Overwriting a key keeps the count.
    expect(await (await run('kv-put?store=SESSIONS&count=1&from=0')).text()).toBe('ok')
    expect(await (await run('kv-delete?store=CACHE&count=20')).text()).toBe('ok')
    expect(await (await run('kv-put?store=SESSIONS&count=20&from=10')).text()).toBe('ok')
    expect((await run('kv-put?store=CACHE&count=1&from=100')).status).toBe(500)
  })

  it('TENANT_SQL_MAX_BYTES: one database filling the quota leaves no room in the other', async () => {
    const run = await deploy()
    expect(await (await run('sql-fill?store=MAIN&kib=600')).text()).toBe('ok')
    const refused = await run('sql-fill?store=LOGS&kib=600')
    expect(refused.status).toBe(500)
    expect(await refused.text()).toContain('TENANT_SQL_MAX_BYTES exceeded')
    // Within what is left, it writes.
    expect(await (await run('sql-fill?store=LOGS&kib=100')).text()).toBe('ok')
    // Emptied, the first gives its share back to the second.
    expect(await (await run('sql-clear?store=MAIN')).text()).toBe('ok')
    expect(await (await run('sql-fill?store=LOGS&kib=600')).text()).toBe('ok')
  })
})
