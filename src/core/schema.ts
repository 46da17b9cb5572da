import {
  check,
  getDotPath,
  pipe,
  safeParse,
  unknown,
  type BaseIssue,
  type GenericSchema,
  type InferOutput,
} from 'valibot'
import { PlatformError, type PlatformErrorCode } from './errors'

// The two ways a value from outside the code's types is let in: what a client sent (its error, a
// 4xx naming the field) and what storage gave back (the platform's own data, so a shape no version
// wrote is a fault, reported with what and where instead of a TypeError deep inside).

/** Written in an input schema's message where the field's dotted path goes: `{field} must be …`. */
const FIELD = '{field}'

/** A client's input, parsed: its first problem is a PlatformError whose message names the field. */
export function parseInput<S extends GenericSchema>(
  schema: S,
  value: unknown,
  code: PlatformErrorCode = 'invalid_request',
): InferOutput<S> {
  const result = safeParse(schema, value)
  if (result.success) return result.output
  const issue = result.issues[0]
  throw new PlatformError(code, issue.message.replace(FIELD, `"${getDotPath(issue) ?? 'body'}"`))
}

/** Data the platform stored that does not have a shape any version of it wrote. */
export class StoredDataError extends Error {
  override name = 'StoredDataError'
}

/** Data read back from storage (KV, a Durable Object, a parameter), parsed against every shape ever written. */
export function parseStored<S extends GenericSchema>(schema: S, value: unknown, what: string): InferOutput<S> {
  return parseOr(
    schema,
    value,
    (problem) => new StoredDataError(`${what} is not in any shape the platform writes: ${problem}`),
  )
}

/** `value` parsed by `schema`, or the error `fail` makes of its first problem, told as "path: message". */
export function parseOr<S extends GenericSchema>(
  schema: S,
  value: unknown,
  fail: (problem: string) => Error,
): InferOutput<S> {
  const result = safeParse(schema, value)
  if (result.success) return result.output
  throw fail(describe(result.issues[0]))
}

/** JSON text read back from storage, parsed and checked: malformed text is a StoredDataError too. */
export function parseStoredJson<S extends GenericSchema>(schema: S, text: string, what: string): InferOutput<S> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new StoredDataError(`${what} is not valid JSON.`)
  }
  return parseStored(schema, value, what)
}

function describe(issue: BaseIssue<unknown>): string {
  const path = getDotPath(issue)
  return path ? `${path}: ${issue.message}` : issue.message
}

/**
 * `schema` (an object or record schema) for plain objects only: valibot's take an array as an
 * object with keys "0", "1", …, which would read `"files": ["a.ts"]` as a file named "0".
 */
export function plainObject<S extends GenericSchema>(schema: S, message: string) {
  return pipe(unknown(), check(isPlainObject, message), schema)
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
