import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { platformFor } from '../../src/platform/index'
import type { AssetConfig, StaticAsset, WorkerBundle } from '../../src/core/model'
import type { DeployResult, Release } from '../../src/deploy/deployer'
import { ECHO_SCRIPT } from '../helpers'

const encoder = new TextEncoder()

/** A static file as the builder makes them. */
export function asset(path: string, text: string, contentType = 'text/html; charset=utf-8'): StaticAsset {
  const content = encoder.encode(text)
  return { path, content, contentType, size: content.byteLength }
}

/** A Worker that describes the request it received (see ECHO_SCRIPT). */
export const ECHO_BUNDLE: WorkerBundle = {
  mainModule: 'worker.js',
  modules: [{ name: 'worker.js', type: 'esm', content: ECHO_SCRIPT }],
}

/** A release as a build produces it: with its summary, which is how dispatch knows it has assets. */
export function release(bundle: WorkerBundle | null, files: StaticAsset[], config: AssetConfig = {}): Release {
  return {
    bundle,
    assets: { files, config },
    build: {
      files: files.map((file) => `public${file.path}`),
      dependencies: {},
      warnings: [],
      assets: { count: files.length, bytes: files.reduce((sum, file) => sum + file.size, 0) },
      hasWorker: bundle !== null,
    },
  }
}

/** Deploys through the platform service, as the upload routes do. */
export async function deployRelease(name: string, what: Release, token?: string): Promise<DeployResult> {
  const ctx = createExecutionContext()
  const result = await platformFor(env).deploys.release(name, what, { token }, ctx)
  await waitOnExecutionContext(ctx)
  return result
}

/** Keys of the platform's KV under a prefix. */
export async function kvKeys(prefix: string): Promise<string[]> {
  const { keys } = await env.WORKER_MAPPINGS.list({ prefix })
  return keys.map((key) => key.name)
}
