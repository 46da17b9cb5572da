// Registers many workers directly in the platform's local KV, as the platform itself would have
// stored them: `workers/<name>` (a WorkerRecord, with its WorkerSummary as metadata, see
// src/platform/store/registry.ts) and `code/<workerId>` (a StoredCode, see src/platform/backends/dynamic-workers.ts).
//
// Uploading 10,000 workers through the API would take minutes (each upload starts an isolate to
// check the script), and `wrangler kv bulk put --local` took ~70 s for 20,000 keys here. A throwaway
// Worker that writes each batch with parallel `put`s does the same writes through the same local KV
// implementation in ~20 s.
import { Miniflare, convertV4MiniflareOptions } from './lib/miniflare.mjs'
import { join, resolve } from 'node:path'
import { unstable_getMiniflareWorkerOptions } from 'wrangler'
import { HELLO_SCRIPT } from './user-script.mjs'

const BATCH = 500

const SEEDER = `export default {
  async fetch(request, env) {
    const entries = await request.json();
    await Promise.all(entries.map((e) => env.KV.put(e.key, e.value, e.metadata ? { metadata: e.metadata } : {})));
    return new Response(String(entries.length));
  },
};`

/**
 * The two KV entries of one registered worker, shaped like the platform's own (keep in step with
 * WorkerRecord in src/platform/model.ts and StoredCode in src/platform/backends/dynamic-workers.ts):
 * real deployments the platform serves (seed-0 is a dispatch target, tenant-<i> the 1,000 tenants),
 * never deployed through the API, so their logs are not captured, as for any worker nobody watches.
 */
export function seedEntries(index, timestamp, { prefix = 'seed', script = () => HELLO_SCRIPT } = {}) {
  const name = `${prefix}-${index}`
  const workerId = `w-${prefix}-${index.toString(36)}`
  const content = script(name)
  const deployment = {
    workerId,
    sequence: 1,
    createdAt: timestamp,
    size: content.length,
    sha256: '0'.repeat(64),
    label: 'v1',
  }
  const record = {
    name,
    workerId,
    ownerId: 'o-bench-seed',
    backend: 'dynamic-workers',
    createdAt: timestamp,
    updatedAt: timestamp,
    deployments: [deployment],
    retired: [],
  }
  const code = { name, mainModule: 'worker.js', modules: [{ name: 'worker.js', type: 'esm', content }] }
  return [
    { key: `workers/${name}`, value: JSON.stringify(record), metadata: { name, workerId, updatedAt: timestamp } },
    { key: `code/${workerId}`, value: JSON.stringify(code) },
  ]
}

/**
 * Writes `count` workers into the WORKER_MAPPINGS namespace that `configPath` uses, under persistDir:
 * `<prefix>-0` … `<prefix>-<count − 1>`, each running `script(name)` (default: the hello script).
 * `more` seeds further groups the same way in the same pass: [{ count, prefix, script }].
 */
export async function seedWorkers(configPath, persistDir, count, more = []) {
  const timestamp = new Date().toISOString()
  const all = [{ count }, ...more].flatMap((group) =>
    Array.from({ length: group.count }, (_, i) => () => seedEntries(i, timestamp, group)),
  )
  await writeMappings(configPath, persistDir, function* batches() {
    for (let start = 0; start < all.length; start += BATCH) {
      yield all.slice(start, start + BATCH).flatMap((entriesOf) => entriesOf())
    }
  })
}

/**
 * Writes KV entries ({ key, value, metadata? }) into the WORKER_MAPPINGS namespace that
 * `configPath` uses, under persistDir, one POST per batch `batches()` yields, through a throwaway
 * Worker bound to that namespace (the platform's server is not running yet).
 */
export async function writeMappings(configPath, persistDir, batches) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(resolve(configPath), '')
  const namespace = workerOptions.kvNamespaces.WORKER_MAPPINGS
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name: 'bench-seeder',
      modules: true,
      script: SEEDER,
      compatibilityDate: workerOptions.compatibilityDate,
      kvNamespaces: { KV: typeof namespace === 'string' ? namespace : namespace.id },
      resourcePersistencePath: join(resolve(persistDir), 'v3'),
    }),
  )
  try {
    for (const entries of batches()) {
      const response = await mf.dispatchFetch('http://seed/', { method: 'POST', body: JSON.stringify(entries) })
      if (!response.ok) throw new Error(`seeding failed: ${response.status} ${await response.text()}`)
      await response.text()
    }
  } finally {
    await mf.dispose()
  }
}
