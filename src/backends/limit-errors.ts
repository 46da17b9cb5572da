import { errorMessage } from '../lib/errors'
import { PlatformError } from '../core/errors'
import type { Limits } from '../core/model'

/**
 * A user Worker that exceeds a custom limit throws at once (both backends). Turns that exception
 * into a 503 that says which limit; any other exception is the worker's own and passes through.
 */
export function limitExceeded(error: unknown, limits: Limits): PlatformError | undefined {
  const message = errorMessage(error)
  if (/cpu time|exceeded cpu|cpu limit/i.test(message)) {
    return new PlatformError(
      'limit_exceeded',
      `This worker exceeded its CPU time limit (${limits.cpuMs} ms per request).`,
    )
  }
  if (/subrequest/i.test(message)) {
    return new PlatformError(
      'limit_exceeded',
      `This worker exceeded its subrequest limit (${limits.subRequests} per request).`,
    )
  }
  return undefined
}
