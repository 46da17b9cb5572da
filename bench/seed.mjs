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
 * WorkerRecord in src/platform/model.ts). The bench never dispatches to seeded workers: they
 * only fill the namespace that dispatch lookups and the home page's list read from.
 */
export function seedEntries(index, timestamp) {
  const name = `seed-${index}`
  const workerId = `w-seed-${index.toString(36)}`
  const deployment = {
    workerId,
    sequence: 1,
    createdAt: timestamp,
    size: HELLO_SCRIPT.length,
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
  const code = { name, mainModule: 'worker.js', modules: [{ name: 'worker.js', type: 'esm', content: HELLO_SCRIPT }] }
  return [
    { key: `workers/${name}`, value: JSON.stringify(record), metadata: { name, workerId, updatedAt: timestamp } },
    { key: `code/${workerId}`, value: JSON.stringify(code) },
  ]
}

/** Writes `count` workers into the WORKER_MAPPINGS namespace that `configPath` uses, under persistDir. */
export async function seedWorkers(configPath, persistDir, count) {
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
    const timestamp = new Date().toISOString()
    for (let start = 0; start < count; start += BATCH) {
      const entries = []
      for (let i = start; i < Math.min(count, start + BATCH); i++) entries.push(...seedEntries(i, timestamp))
      const response = await mf.dispatchFetch('http://seed/', { method: 'POST', body: JSON.stringify(entries) })
      if (!response.ok) throw new Error(`seeding failed: ${response.status} ${await response.text()}`)
      await response.text()
    }
  } finally {
    await mf.dispose()
  }
}
