import type { BuildError, BuildFailure, BuildFailureKind, BuildLimitName } from '../../src/deploy/build'

/** The builder's one error type: thrown anywhere in a build, turned into a BuildFailure once, in build.ts. */
export class BuildFailed extends Error {
  constructor(
    readonly kind: BuildFailureKind,
    readonly errors: BuildError[],
    readonly limit?: BuildLimitName,
  ) {
    super(errors.map((error) => error.message).join('\n'))
    this.name = 'BuildFailed'
  }

  static user(message: string, details: Omit<BuildError, 'message'> = {}): BuildFailed {
    return new BuildFailed('user', [{ message, ...details }])
  }

  static limit(limit: BuildLimitName, message: string): BuildFailed {
    return new BuildFailed('limit', [{ message }], limit)
  }

  toResult(): BuildFailure {
    return { ok: false, kind: this.kind, errors: this.errors, ...(this.limit ? { limit: this.limit } : {}) }
  }
}
