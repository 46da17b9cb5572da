// A thousand live tenants (issue #14): `count` distinct workers, seeded into the platform's KV with
// the rest of the 10,000 (bench/seed.mjs: records and code as the platform stores them; deploying
// 1,000 through the API took 28 s of the 5-minute budget, 8 uploads at a time), then requested
// round-robin in the dispatch rounds (bench/dispatch.mjs, target "tenants"). This module requests
// each once (which loads every isolate and records the ID each isolate drew) and, after the load,
// once more: a changed ID means the loader evicted that isolate and loaded it anew. The RSS of the
// server's workerd is read before the first requests, after them and after the load.
import { timedGet } from './lib/client.mjs'
import { workerdRssMiB } from './lib/proc.mjs'
import { tenantScript } from './user-script.mjs'

export const tenantName = (i) => `tenant-${i}`

/** The URL load.mjs turns round-robin over the tenants ("{i}" = 0 … count − 1). */
export const tenantsUrl = (platformUrl) => `${platformUrl}/user-workers/${tenantName('{i}')}`

/** The same round-robin on the bare baseline: one loader ID per tenant, same scripts. */
export const baselineTenantsUrl = (baselineUrl) => `${baselineUrl}/${tenantName('{i}')}`

/** GETs every tenant once, `concurrency` at a time: their isolate IDs, in order. */
export async function requestEachTenant(
  platformUrl,
  count,
  concurrency = 8,
  path = (i) => `/user-workers/${tenantName(i)}`,
) {
  const ids = new Array(count)
  let next = 0
  const lane = async () => {
    while (next < count) {
      const i = next++
      const url = `${platformUrl}${path(i)}`
      const { status, text } = await timedGet(url)
      const [name, isolate] = text.split(' ')
      if (status !== 200 || name !== tenantName(i)) throw new Error(`${url}: ${status} "${text.slice(0, 200)}"`)
      ids[i] = isolate
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return ids
}

/** The seed group of the tenants (bench/seed.mjs seedWorkers `more`). */
export const tenantSeed = (count) => ({ count, prefix: 'tenant', script: tenantScript })

/**
 * Requests every tenant once (loading its isolate), on the platform and on the baseline: what
 * `finishTenants` needs later.
 */
export async function loadTenants(server, baselineUrl, count, log) {
  const rssBefore = workerdRssMiB(server.pid)
  log(`${count} tenants: first request to each, 8 at a time (and to each on the baseline)`)
  const started = performance.now()
  const firstIds = await requestEachTenant(server.url, count)
  const loadSeconds = (performance.now() - started) / 1000
  await requestEachTenant(baselineUrl, count, 8, (i) => `/${tenantName(i)}`)
  return { count, loadSeconds, rssBefore, rssLoaded: workerdRssMiB(server.pid), firstIds }
}

/** After the load: how many isolates were loaded anew (evicted), and the RSS now. */
export async function finishTenants(server, loaded) {
  const rssAfterLoad = workerdRssMiB(server.pid)
  const ids = await requestEachTenant(server.url, loaded.count)
  const reloaded = ids.filter((id, i) => id !== loaded.firstIds[i]).length
  const { firstIds, ...figures } = loaded
  return { ...figures, rssAfterLoad, reloaded }
}
