import { array, looseObject, number, optional, safeParse, string, type GenericSchema, type InferOutput } from 'valibot'
import { PlatformError } from '../core/errors'
import { parseOr } from '../core/schema'

// What the answers the platform reads say, as Cloudflare documents them. The envelope every API v4
// answer comes in carries `errors` (read from a failure) and `result` (read from a success, in the
// shape each call passes): an answer off that shape is the API's failure, not a TypeError later.

/** A failure's `errors`: code and message, each of which Cloudflare may leave out. */
const errorsSchema = looseObject({
  errors: array(looseObject({ code: optional(number()), message: optional(string()) })),
})

/**
 * The API's own error codes and messages (never the request, which holds the token). A refusal
 * (below 500) with one of `rejectedCodes` is the upload's fault (`script_rejected`), not the API's.
 */
export async function apiError(
  response: Response,
  rejectedCodes: ReadonlySet<number> = new Set(),
): Promise<PlatformError> {
  // Errors off the documented shape (or no JSON at all) leave the status to say what happened.
  const envelope = safeParse(errorsSchema, await readJson(response))
  const errors = envelope.success ? envelope.output.errors : []
  const described = errors
    .filter((error) => error.message)
    .map((error) => (error.code ? `${error.code}: ${error.message}` : String(error.message)))
  const message = described.length
    ? `Cloudflare API error ${described.join('; ')}`
    : `Cloudflare API answered ${response.status} ${response.statusText}`.trim()
  const rejected = response.status < 500 && errors.some((error) => rejectedCodes.has(error.code ?? 0))
  return new PlatformError(rejected ? 'script_rejected' : 'cloudflare_api_error', message)
}

/** A success's `result`, as `schema` describes it: any other answer is a Cloudflare API error naming what is off. */
export async function readResult<S extends GenericSchema>(
  response: Response,
  schema: S,
  what: string,
): Promise<InferOutput<S>> {
  const body = await readJson(response)
  const answer = `The Cloudflare API's answer to ${what}`
  if (body === undefined) throw new PlatformError('cloudflare_api_error', `${answer} is not JSON.`)
  const fail = (problem: string) =>
    new PlatformError('cloudflare_api_error', `${answer} is off its documented shape: ${problem}.`)
  return parseOr(looseObject({ result: schema }), body, fail).result
}

/** The answer's JSON; undefined when it is none. */
async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json()
  } catch {
    return undefined
  }
}
