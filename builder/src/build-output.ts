import { BuildFailed } from './failure'
import type { MissingImport } from './imports'

// A project whose build has not run: wrangler deploys what `npm run build` wrote (build/, dist/…),
// and an upload of the sources alone points at files that are not there. The failure (or, for the
// assets folder, the warning) says what to do instead of only what is missing.

export const BUILD_HINT = 'run `npm run build` first, or upload the built output.'

/** Where builds write by convention (Remix and React Router, Vite, Next's export, Nitro). */
const CONVENTIONAL = ['build', 'dist', 'out', '.output']

/** Flags naming an output in a build script: esbuild's, tsc's and vite's --outdir/--outDir/--outfile, -o. */
const OUTPUT_FLAG = /(?:^|\s)(?:--out-?dir|--outDir|--out-?file|-o)(?:=|\s+)["']?([^\s"'&;|]+)/g

/** The folders (and files) a project's build writes: the conventional ones, and those scripts.build names. */
export function buildOutputs(buildScript: string | undefined): string[] {
  const named = [...(buildScript ?? '').matchAll(OUTPUT_FLAG)].map((match) => clean(match[1] ?? ''))
  return [...CONVENTIONAL, ...named.filter((path) => path !== '')]
}

/** Whether `path` (from the project's root) is one of `outputs` or inside one. */
export function looksBuilt(path: string, outputs: string[]): boolean {
  const target = clean(path)
  return outputs.some((output) => target === output || target.startsWith(`${output}/`))
}

/** A message that ends in "." with the hint after it: "X is not in the project: run `npm run build` first, …". */
export function withBuildHint(message: string): string {
  return `${message.replace(/\.$/, '')}: ${BUILD_HINT}`
}

/** Imports of missing files in a build output, as one failure naming each; undefined when there are none. */
export function missingBuildOutput(missing: MissingImport[], outputs: string[]): BuildFailed | undefined {
  const built = missing.filter(({ path }) => looksBuilt(path, outputs))
  if (built.length === 0) return undefined
  return new BuildFailed(
    'user',
    built.map(({ specifier, importer }) => ({
      message: withBuildHint(`${importer}: Cannot resolve import "${specifier}": no such file in the upload.`),
      file: importer,
    })),
  )
}

/**
 * The entry module's failure with the hint when the entry it names looks built ("build/index.js");
 * anything else as it was.
 */
export function entryFailure(error: unknown, outputs: string[]): unknown {
  if (!(error instanceof BuildFailed) || error.kind !== 'user' || error.errors.length !== 1) return error
  const [only] = error.errors
  if (only?.file === undefined || !looksBuilt(only.file, outputs)) return error
  return new BuildFailed('user', [{ ...only, message: withBuildHint(only.message) }])
}

/** A warning when the wrangler config's assets folder has no file in the upload (wrangler would refuse it). */
export function missingAssetsWarning(directory: string, outputs: string[]): string {
  const message = `The assets directory ${directory}/ is not in the upload, so no static files are served.`
  return looksBuilt(directory, outputs) ? withBuildHint(message) : message
}

/** The failure of a project with neither an entry module nor static files. */
export function noEntryMessage(assetsDirectory: string, outputs: string[]): string {
  const message = `No entry module found: name one, set "main" in wrangler config or package.json, add src/index.ts, or put static files in ${assetsDirectory}/.`
  return looksBuilt(assetsDirectory, outputs) ? withBuildHint(message) : message
}

function clean(path: string): string {
  return path.replace(/^(\.\/)+/, '').replace(/\/+$/, '')
}
