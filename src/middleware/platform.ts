import { bodyLimit } from 'hono/body-limit'
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../context'
import { formatBytes } from '../lib/format'
import { platformFor } from '../platform'
import { PlatformError } from '../platform/errors'

/** Puts the platform service (built once per isolate from the validated config) on the context. */
export const withPlatform: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('platform', platformFor(c.env))
  await next()
}

// Form and JSON encodings can triple a script's size (percent-escapes); the exact cap is checked
// on the decoded script. This bound only stops oversized bodies before they are parsed.
const ENCODING_FACTOR = 3
const ENVELOPE_BYTES = 64 * 1024

/**
 * Refuses request bodies that cannot hold a script or a project within the configured caps (413),
 * unread. The exact caps are checked on the decoded upload (scripts) and by the builder (projects).
 */
export const limitUploadBody: MiddlewareHandler<AppEnv> = (c, next) => {
  const { maxScriptBytes, buildLimits } = c.var.platform.config
  // A raw body is one script; forms, JSON and archives may carry a whole project.
  const project = /^(multipart\/form-data|application\/json|application\/zip)\b/i.test(
    c.req.header('content-type') ?? '',
  )
  const largest = project ? Math.max(maxScriptBytes, buildLimits.maxTotalBytes) : maxScriptBytes
  return bodyLimit({
    maxSize: largest * ENCODING_FACTOR + ENVELOPE_BYTES,
    onError: () => {
      throw new PlatformError(
        'script_too_large',
        `The upload is too large: scripts may be up to ${formatBytes(maxScriptBytes)}, projects up to ${formatBytes(buildLimits.maxTotalBytes)}.`,
      )
    },
  })(c, next)
}
