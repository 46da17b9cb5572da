import { Validator, type Schema } from '@cfworker/json-schema'
import { CLOUDFLARE_DOUBLE } from '../doubles/constants'
import type { RecordedRequest } from './namespace-double'
import { requestOperations, type RequestOperation, type RequestOperationId } from './namespace-openapi-schemas'

// How namespace-openapi.test.ts checks a request the API double recorded against what
// namespace-openapi-schemas.ts restates of its operation: which operation it is (method and path
// template), then its token, query parameters and body. Path parameters only place a request (their
// components, `workers_identifier` and the like, were not at hand to restate).

const PREFIX = '/client/v4'

const OPERATIONS = Object.entries(requestOperations).map(([id, operation]: [string, RequestOperation]) => ({
  id: id as RequestOperationId,
  operation,
  pattern: new RegExp(`^${PREFIX}${operation.path.replace(/\{\w+\}/g, '[^/]+')}$`),
}))

/**
 * The validator's errors, one line each (the instance location and what is wrong there). Of a oneOf
 * whose branches each fix a `type` (the binding kinds), the branches of another type are left out.
 */
function validate(schema: Schema, instance: unknown): string[] {
  if (instance === undefined) return ['no JSON value (none was sent, or it did not parse)']
  const { errors } = new Validator(schema, '2020-12', false).validate(instance)
  const otherKinds = errors
    .map((error) => /^(.*\/oneOf\/\d+)\/properties\/type\//.exec(error.keywordLocation)?.[1])
    .filter((branch) => branch !== undefined)
  const relevant = errors.filter(
    (error) => !otherKinds.some((branch) => error.keywordLocation.startsWith(`${branch}/`)),
  )
  return [...new Set(relevant.map((error) => `${error.instanceLocation}: ${error.error}`))]
}

/** A query value as its schema reads it (a form-style boolean is "true" or "false"). */
function queryValue(schema: Schema, value: string): unknown {
  if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true'
  return value
}

/**
 * A multipart body as OpenAPI 3.0 reads it: one property per part name (a repeated name: an array), a
 * part the operation encodes as JSON parsed (what fails to parse stays text, for the schema to refuse).
 */
function formObject(parts: RecordedRequest['parts'], jsonParts: string[]): Record<string, unknown> {
  const form: Record<string, unknown[]> = {}
  for (const part of parts) {
    let value: unknown = part.content
    if (jsonParts.includes(part.field)) {
      try {
        value = JSON.parse(part.content)
      } catch {
        // left as text
      }
    }
    const values = form[part.field] ?? []
    values.push(value)
    form[part.field] = values
  }
  return Object.fromEntries(
    Object.entries(form).map(([name, values]) => [name, values.length > 1 ? values : values[0]]),
  )
}

/** What is wrong with a recorded request, by its operation's security, query parameters and body. */
export function problemsOf(request: RecordedRequest, operation: RequestOperation): string[] {
  const problems: string[] = []
  const bearer = /^Bearer (.+)$/.exec(request.authorization ?? '')?.[1]
  if (!bearer) problems.push('carries no Bearer token')
  else if (operation.security === 'api_token' && bearer !== CLOUDFLARE_DOUBLE.token) {
    problems.push('is not authorised by the API token')
  } else if (operation.security === 'assets_jwt' && bearer === CLOUDFLARE_DOUBLE.token) {
    problems.push('carries the API token where the upload session’s JWT is due')
  }

  const query = new URLSearchParams(request.query)
  const declared = operation.query ?? {}
  for (const name of new Set(query.keys())) {
    if (!(name in declared)) problems.push(`sends the query parameter ${name}, which the operation does not declare`)
  }
  for (const [name, parameter] of Object.entries(declared)) {
    const values = query.getAll(name)
    if (values.length === 0 && parameter.required) problems.push(`lacks the required query parameter ${name}`)
    for (const value of values) {
      problems.push(...validate(parameter.schema, queryValue(parameter.schema, value)).map((e) => `query ${name} ${e}`))
    }
  }

  const { body } = operation
  const sent = request.contentType !== null || request.parts.length > 0 || request.json !== undefined
  if (!body) {
    if (sent) problems.push('sends a body the operation does not take')
    return problems
  }
  if (!sent) {
    if (body.required) problems.push(`requires an ${body.mediaType} request body; none was sent`)
    return problems
  }
  if (!request.contentType?.startsWith(body.mediaType)) {
    problems.push(`is sent as ${request.contentType}, not ${body.mediaType}`)
  }
  if (body.mediaType === 'application/json') {
    problems.push(...validate(body.schema, request.json).map((e) => `body ${e}`))
    return problems
  }
  const jsonParts = body.jsonParts ?? []
  problems.push(...validate(body.schema, formObject(request.parts, jsonParts)).map((e) => `body ${e}`))
  for (const part of request.parts) {
    if (jsonParts.includes(part.field)) {
      if (part.type !== 'application/json') problems.push(`part ${part.field} is ${part.type}, not application/json`)
    } else if (operation.moduleContentTypes && !operation.moduleContentTypes.includes(part.type ?? '')) {
      problems.push(`module part ${part.field} has Content-Type ${part.type}, none the upload takes`)
    }
  }
  return problems
}

/** The operation of a recorded request: the one whose method and path template it matches. */
export function operationOf(request: RecordedRequest) {
  const matches = OPERATIONS.filter(
    ({ operation, pattern }) => operation.method === request.method && pattern.test(request.path),
  )
  return matches.length === 1 ? matches[0] : undefined
}
