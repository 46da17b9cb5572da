import { createMiddleware } from 'hono/factory'
import type { GenericSchema, InferInput, InferOutput } from 'valibot'
import type { AppEnv } from '../context'
import { parseInput } from '../core/schema'
import { readJsonBody } from './input'

/**
 * Hono validator middleware for a JSON body: `c.req.valid('json')` is then what `schema` describes.
 * Not hono/validator's own JSON reading, which turns every failure to read the body into a 400 —
 * the action body cap's 413 included — and answers a malformed body outside the one error renderer.
 * With `onlyIfJson`, a body sent as anything else is read as `{}` (the body is optional).
 */
export function jsonBody<S extends GenericSchema<unknown, object>>(schema: S, { onlyIfJson = false } = {}) {
  return createMiddleware<AppEnv, string, { in: { json: InferInput<S> }; out: { json: InferOutput<S> } }>(
    async (c, next) => {
      const sentJson = c.req.header('content-type')?.startsWith('application/json') ?? false
      const body = onlyIfJson && !sentJson ? parseInput(schema, {}) : await readJsonBody(c.req, schema)
      c.req.addValidatedData('json', body)
      await next()
    },
  )
}

/** Hono validator middleware for the query string: `c.req.valid('query')` is what `schema` describes (400 otherwise). */
export function queryParams<S extends GenericSchema<unknown, object>>(schema: S) {
  return createMiddleware<AppEnv, string, { in: { query: InferInput<S> }; out: { query: InferOutput<S> } }>(
    async (c, next) => {
      c.req.addValidatedData('query', parseInput(schema, c.req.query()))
      await next()
    },
  )
}
