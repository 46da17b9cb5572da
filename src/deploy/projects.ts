import { withRuleFiles } from '../assets/rules'
import { formatBytes, formatDuration } from '../lib/format'
import type { BuildFailure, BuildLimitName, BuildLimits, BuildSuccess, DeclaredEnv } from './build'
import { PlatformError } from '../core/errors'
import type { BuildSummary, Compatibility, DeploymentAssets, WorkerBundle } from '../core/model'

/** The languages a single pasted script may be in: JavaScript deploys as it is, the others are built. */
export type ScriptLanguage = 'js' | 'ts' | 'tsx'

/** What the builder's success becomes: a release to deploy (see Deployer.release). */
export interface BuiltRelease {
  bundle: WorkerBundle | null
  assets?: DeploymentAssets
  compatibility: Compatibility
  build: BuildSummary
  declared?: DeclaredEnv
}

/** The release a successful build describes; the project's runtime, else the platform's default. */
export function releaseOf(result: BuildSuccess, defaultDate: string): BuiltRelease {
  // _redirects and _headers are rules (assets/rules.ts): counted and served as files, they are not.
  const assets =
    result.assets.length > 0 ? withRuleFiles({ files: result.assets, config: result.assetConfig ?? {} }) : undefined
  const files = assets?.files ?? []
  const bytes = files.reduce((total, asset) => total + asset.size, 0)
  return {
    bundle: result.worker,
    ...(assets ? { assets } : {}),
    compatibility: { date: result.compatibilityDate ?? defaultDate, flags: result.compatibilityFlags ?? [] },
    build: {
      files: result.files,
      dependencies: result.dependencies,
      warnings: result.warnings,
      assets: { count: files.length, bytes },
      hasWorker: result.worker !== null,
    },
    ...(result.declared ? { declared: result.declared } : {}),
  }
}

/**
 * A failed build as the platform's error: the project's own fault (400, with file:line:column for
 * each error, as an editor shows them), a limit (413, naming it), or the builder's (502).
 */
export function buildError(result: BuildFailure, limits: BuildLimits): PlatformError {
  const lines = result.errors.map((error) => {
    const at = error.file
      ? `${[error.file, error.line, error.column].filter((part) => part !== undefined).join(':')}: `
      : ''
    // esbuild's messages, as the builder passes them on, start with their location already.
    return error.message.startsWith(at) ? error.message : `${at}${error.message}`
  })
  const details = lines.join('\n')
  switch (result.kind) {
    case 'user':
      return new PlatformError('build_failed', `The build failed:\n${details}`)
    case 'limit':
      return new PlatformError(
        'project_too_large',
        `${details}${result.limit ? `\n(The limit: ${describeLimit(result.limit, limits)}.)` : ''}`,
      )
    case 'internal':
      return new PlatformError('builder_failed', `The builder could not build the project. Try again. (${details})`)
  }
}

/** A limit as a person reads it, with the configured value and the setting that changes it. */
export function describeLimit(name: BuildLimitName, limits: BuildLimits): string {
  const value = limits[name]
  switch (name) {
    case 'maxTotalBytes':
      return `${formatBytes(value)} per project, MAX_PROJECT_BYTES`
    case 'maxFiles':
      return `${value} files per project, MAX_PROJECT_FILES`
    case 'maxFileBytes':
      return `${formatBytes(value)} per file, MAX_FILE_BYTES`
    case 'maxDependencies':
      return `${value} npm packages per build, MAX_DEPENDENCIES`
    case 'maxBuildMs':
      return `${formatDuration(value)} per build, MAX_BUILD_SECONDS`
    case 'maxPackageBytes':
      return `${formatBytes(value)} per npm package unpacked, MAX_PACKAGE_BYTES`
    case 'maxInstallBytes':
      return `${formatBytes(value)} of npm packages per build unpacked, MAX_INSTALL_BYTES`
    case 'maxPackumentBytes':
      return `${formatBytes(value)} of npm registry metadata per package, MAX_PACKUMENT_BYTES`
  }
}
