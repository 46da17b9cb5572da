import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { bundleFromScript } from '../../src/deploy/bundle'
import { CHECK_LIMITS, checkBundle } from '../../src/backends/upload-check'

// A global scope that never finishes cannot be run here: local workerd enforces no CPU limit on a
// loaded isolate, and the loop would freeze the test runner's only thread (measured, see
// docs/troubleshooting.md). What can be checked is that the check asks the runtime for the bound that
// Cloudflare enforces, on both the isolate and its entrypoint.

/** The real Worker Loader, recording what the check asks of it. */
function recordingLoader() {
  const seen: { code: WorkerLoaderWorkerCode; entrypointOptions: unknown[] }[] = []
  const loader: WorkerLoader = {
    get: (name, getCode) => env.LOADER.get(name, getCode),
    load(code) {
      const entry = { code, entrypointOptions: [] as unknown[] }
      seen.push(entry)
      const stub = env.LOADER.load(code)
      const getEntrypoint = (name?: string, options?: WorkerStubEntrypointOptions): Fetcher => {
        entry.entrypointOptions.push(options)
        return stub.getEntrypoint<undefined>(name, options)
      }
      // Only getEntrypoint() is used by the check.
      return { getEntrypoint } as unknown as WorkerStub
    },
  }
  return { loader, seen }
}

const COMPATIBILITY = { date: '2026-11-01', flags: [] }

describe('upload check', () => {
  it.each([
    ['an ES module', 'export default { fetch() { return new Response("ok") } }'],
    ['a service-worker script', 'addEventListener("fetch", (e) => e.respondWith(new Response("ok")))'],
  ])('bounds the CPU of %s’s global scope (enforced on Cloudflare)', async (_, script) => {
    const { loader, seen } = recordingLoader()
    await checkBundle(loader, bundleFromScript(script, 1024 * 1024), COMPATIBILITY)
    expect(seen).toHaveLength(1)
    expect(seen[0]?.code.limits?.cpuMs).toBeGreaterThan(0)
    expect(seen[0]?.code.limits).toEqual(CHECK_LIMITS)
    expect(seen[0]?.entrypointOptions).toEqual([{ limits: CHECK_LIMITS }])
  })

  it('reads what the probe finds out, and refuses an upload whose code changed its answer', async () => {
    const check = (script: string) => checkBundle(env.LOADER, bundleFromScript(script, 1024 * 1024), COMPATIBILITY)
    const handlers = 'export default { fetch() { return new Response("ok") }, scheduled() {} }'
    expect(await check(handlers)).toEqual({ hasScheduled: true, startupMs: expect.any(Number) as unknown })
    const forged = 'Response.json = () => new Response(\'{"hasFetch":"yes"}\');\n' + handlers
    await expect(check(forged)).rejects.toThrow("The script changed the upload check's answer (hasFetch: ")
  })

  it('still refuses a global scope that throws, with the runtime’s message', async () => {
    const { loader } = recordingLoader()
    const bundle = bundleFromScript('throw new Error("broken at startup"); export default {}', 1024 * 1024)
    await expect(checkBundle(loader, bundle, COMPATIBILITY)).rejects.toThrow('broken at startup')
  })
})
