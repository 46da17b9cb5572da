// vitest globalSetup (Node): bundles the Drizzle fixture Worker (test/fixtures/drizzle-worker/) into
// one ES module with esbuild, as a tenant's build would, and hands it to the tests as
// inject('drizzleWorker'): the tests run inside workerd, which cannot bundle npm packages itself.
import { build } from 'esbuild'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    drizzleWorker: string
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const result = await build({
    entryPoints: ['test/fixtures/drizzle-worker/index.js'],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  const [output] = result.outputFiles
  if (!output) throw new Error('esbuild produced no output for the Drizzle fixture')
  project.provide('drizzleWorker', output.text)
}
