import { check, pipe, safeParse, unknown, type BaseIssue, type GenericSchema, type InferOutput } from 'valibot'
import type { BuildFailed } from './failure'

// How the builder lets in a document from outside its code's types — a tenant's package.json,
// package-lock.json, wrangler config or tsconfig.json, or the npm registry's metadata: a valibot
// schema of exactly what the builder reads of it (loose objects: every other field is the
// document's business), and a document off that shape is a BuildFailed naming the file and the
// field, never a TypeError further in. Each schema's messages are written to follow the field:
// "must be a string." → `package-lock.json: packages["node_modules/x"].version must be a string.`

/**
 * `schema` (an object or record schema) for plain objects only: valibot's take an array as an
 * object with keys "0", "1", …, which would read `"assets": []` as assets with no settings.
 */
export function plainObject<S extends GenericSchema>(schema: S, message: string) {
  return pipe(unknown(), check(isPlainObject, message), schema)
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * `value` (the document `what`, or the part of it at `at`) parsed by `schema`, or the error `fail`
 * makes of its first problem: "<what>: <field> <message>", or "<what>: <message>" for the whole
 * (so a root schema's message names it: "the file must hold an object."). Always "<what>: " first,
 * which is how the platform shows an error's file (src/deploy/projects.ts), so it is not doubled.
 */
export function parseDocument<S extends GenericSchema>(
  schema: S,
  value: unknown,
  what: string,
  fail: (message: string) => BuildFailed,
  at: readonly (string | number)[] = [],
): InferOutput<S> {
  const result = safeParse(schema, value)
  if (result.success) return result.output
  const issue = result.issues[0]
  const field = fieldPath([...at, ...issuePath(issue)])
  throw fail(field ? `${what}: ${field} ${issue.message}` : `${what}: ${issue.message}`)
}

function issuePath(issue: BaseIssue<unknown>): (string | number)[] {
  return (issue.path ?? []).map(({ key }) => (typeof key === 'number' ? key : String(key)))
}

/**
 * As JavaScript would write it — `packages["node_modules/x"].version`, `compatibility_flags[1]` —
 * except that a first key of letters, digits and "-" is written bare: `dist-tags.latest`.
 */
export function fieldPath(path: readonly (string | number)[]): string {
  let text = ''
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`
    else if (text === '' && /^[\w$-]+$/.test(key)) text = key
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) text += `.${key}`
    else text += `[${JSON.stringify(key)}]`
  }
  return text
}
