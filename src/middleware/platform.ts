import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../context'
import { formatBytes } from '../lib/format'
import { countingParts, multipartBoundary } from '../lib/multipart-budget'
import { platformFor } from '../platform'
import { PlatformError } from '../core/errors'

/** Puts the platform service (built once per isolate from the validated config) on the context. */
export const withPlatform: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('platform', platformFor(c.env))
  await next()
}

// Form and JSON encodings can triple a script's size (percent-escapes); the exact cap is checked
// on the decoded script. This bound only stops oversized bodies before they are parsed.
const ENCODING_FACTOR = 3
const ENVELOPE_BYTES = 64 * 1024
/** Parts a multipart upload may have besides its files: the upload form's fields (name, settings, …). */
const FORM_FIELDS = 50

/**
 * Refuses request bodies that cannot hold a script or a project within the configured caps (413),
 * unread. The exact caps are checked on the decoded upload (scripts) and by the builder (projects).
 */
export const limitUploadBody: MiddlewareHandler<AppEnv> = (c, next) => {
  const { maxScriptBytes, buildLimits } = c.var.platform.config
  const type = c.req.header('content-type') ?? ''
  // A raw body is one script; forms, JSON and archives may carry a whole project.
  const project = /^(multipart\/form-data|application\/json|application\/zip)\b/i.test(type)
  const boundary = multipartBoundary(type)
  if (boundary && c.req.raw.body) {
    const maxParts = buildLimits.maxFiles + FORM_FIELDS
    const tooMany = () =>
      new PlatformError(
        'project_too_large',
        `The form holds over ${maxParts} parts; a project may have at most ${buildLimits.maxFiles} files (MAX_PROJECT_FILES).`,
      )
    c.req.raw = new Request(c.req.raw, { body: c.req.raw.body.pipeThrough(countingParts(boundary, maxParts, tooMany)) })
  }
  const largest = project ? Math.max(maxScriptBytes, buildLimits.maxTotalBytes) : maxScriptBytes
  return limitBody(
    largest * ENCODING_FACTOR + ENVELOPE_BYTES,
    () =>
      new PlatformError(
        'script_too_large',
        `The upload is too large: scripts may be up to ${formatBytes(maxScriptBytes)}, projects up to ${formatBytes(buildLimits.maxTotalBytes)}.`,
      ),
  )(c, next)
}

/** The most a request body may be on the platform's routes that are not uploads: a few form fields. */
export const MAX_ACTION_BODY_BYTES = 16 * 1024

/**
 * Refuses bodies over MAX_ACTION_BODY_BYTES (413) on promote, rollback, cron runs, logs and delete,
 * before anything is parsed and before the token in them is checked: without it, a 90 MB body was
 * parsed for 25 s before its missing token was refused.
 */
export const limitActionBody: MiddlewareHandler<AppEnv> = limitBody(
  MAX_ACTION_BODY_BYTES,
  () =>
    new PlatformError(
      'body_too_large',
      `The request body is too large: this action takes at most ${formatBytes(MAX_ACTION_BODY_BYTES)}.`,
    ),
)

/**
 * Caps a request body at `maxBytes`: a declared Content-Length over it is refused unread; a body
 * without one is counted as the handler reads it, and fails with `tooLarge()` at the first byte over.
 * (Hono's bodyLimit buffers such a body up to the cap before the handler runs, so a handler that
 * refuses early, such as the JSON upload's value count, would still read 30 MB first.)
 */
export function limitBody(maxBytes: number, tooLarge: () => PlatformError): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const body = c.req.raw.body
    if (!body) return next()
    const declared = c.req.header('content-length')
    if (declared !== undefined && !c.req.header('transfer-encoding')) {
      if (Number(declared) > maxBytes) throw tooLarge()
      return next()
    }
    let seen = 0
    const counted = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength
          if (seen > maxBytes) controller.error(tooLarge())
          else controller.enqueue(chunk)
        },
      }),
    )
    c.req.raw = new Request(c.req.raw, { body: counted })
    return next()
  }
}
