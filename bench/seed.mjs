// Registers many workers directly in the platform's local KV, as the platform itself would have
// stored them: `workers/<name>` (a WorkerRecord, with its WorkerSummary as metadata, see
// src/names/registry.ts) and `code/<workerId>` (a StoredCode, encoded by the platform's own
// src/backends/code-store.ts, bundled for Node with esbuild).
//
// Uploading 10,000 workers through the API would take minutes (each upload starts an isolate to
// check the script), and `wrangler kv bulk put --local` took ~70 s for 20,000 keys here. A throwaway
// Worker that writes each batch with parallel `put`s does the same writes through the same local KV
// implementation in ~20 s.
import { Miniflare, convertV4MiniflareOptions } from './lib/miniflare.mjs'
import { join, resolve } from 'node:path'
import { build } from 'esbuild'
import { ROOT } from './lib/procs.mjs'
import { unstable_getMiniflareWorkerOptions } from 'wrangler'
import { HELLO_SCRIPT } from './user-script.mjs'

const BATCH = 500
// Batches also stay under this many bytes of code (1 MB bundles are seeded too, bench/cold.mjs).
const BATCH_BYTES = 8 * 1024 * 1024

const SEEDER = `export default {
  async fetch(request, env) {
    const entries = await request.json();
    const value = (e) => (e.base64 ? Uint8Array.from(atob(e.base64), (c) => c.charCodeAt(0)) : e.value);
    await Promise.all(entries.map((e) => env.KV.put(e.key, value(e), e.metadata ? { metadata: e.metadata } : {})));
    return new Response(String(entries.length));
  },
};`

/** The platform's encoder of stored code (src/backends/code-store.ts), bundled for Node once. */
let encoder
function platformEncoder() {
  encoder ??= build({
    entryPoints: [join(ROOT, 'src', 'backends', 'code-store.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
  }).then(async (built) => {
    const source = Buffer.from(built.outputFiles[0].contents).toString('base64')
    return (await import(`data:text/javascript;base64,${source}`)).encodeStoredCode
  })
  return encoder
}

/**
 * The two KV entries of one registered worker, shaped like the platform's own (keep in step with
 * WorkerRecord in src/core/model.ts): real deployments the platform serves (seed-0 is a
 * dispatch target, tenant-<i> the 1,000 tenants, stored-<bytes>-<i> the cold starts from storage),
 * never deployed through the API, so their logs are not captured, as for any worker nobody watches.
 * `encode`: the platform's encoder of stored code.
 */
export function seedEntries(index, timestamp, encode, { prefix = 'seed', script = () => HELLO_SCRIPT } = {}) {
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
  const bundle = { mainModule: 'worker.js', modules: [{ name: 'worker.js', type: 'esm', content }] }
  const code = Buffer.from(encode({ name, bundle, secrets: null }))
  return [
    { key: `workers/${name}`, value: JSON.stringify(record), metadata: { name, workerId, updatedAt: timestamp } },
    { key: `code/${workerId}`, base64: code.toString('base64'), bytes: code.length },
  ]
}

/**
 * Writes `count` workers into the WORKER_MAPPINGS namespace that `configPath` uses, under persistDir:
 * `<prefix>-0` … `<prefix>-<count − 1>`, each running `script(name)` (default: the hello script).
 * `more` seeds further groups the same way in the same pass: [{ count, prefix, script }].
 */
export async function seedWorkers(configPath, persistDir, count, more = []) {
  const timestamp = new Date().toISOString()
  const encode = await platformEncoder()
  const all = [{ count }, ...more].flatMap((group) =>
    Array.from({ length: group.count }, (_, i) => () => seedEntries(i, timestamp, encode, group)),
  )
  await writeMappings(configPath, persistDir, function* batches() {
    let batch = []
    let bytes = 0
    for (const entriesOf of all) {
      const entries = entriesOf()
      batch.push(...entries)
      bytes += entries.reduce((sum, entry) => sum + (entry.bytes ?? 0), 0)
      if (batch.length >= BATCH || bytes >= BATCH_BYTES) {
        yield batch
        batch = []
        bytes = 0
      }
    }
    if (batch.length > 0) yield batch
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
