import * as v from 'valibot'
import type { Invocation } from './invocations'

const text = v.pipe(v.string(), v.maxLength(256))
const list = v.pipe(v.array(text), v.maxLength(32))

/**
 * The filters of a tail, as `wrangler tail` sends them (`--status`, `--method`, `--header`, `--ip`,
 * `--search`, `--sampling-rate`, `--version-id`): every one given must match for an invocation to
 * be sent. Unknown filters are refused, not ignored, so a tail never shows more than was asked for.
 */
const tailFilter = v.union([
  v.strictObject({ sampling_rate: v.pipe(v.number(), v.minValue(0), v.maxValue(1)) }),
  v.strictObject({ outcome: list }),
  v.strictObject({ method: list }),
  v.strictObject({ header: v.strictObject({ key: text, query: v.optional(text) }) }),
  v.strictObject({ client_ip: list }),
  v.strictObject({ query: text }),
  v.strictObject({ scriptVersion: text }),
])

export type TailFilter = v.InferOutput<typeof tailFilter>

export const tailFilters = v.pipe(v.array(tailFilter), v.maxLength(16))

/** POST …/tails: `{ filters }` (wrangler sends an empty list when none are given). */
export const tailBody = v.looseObject({ filters: v.optional(tailFilters, []) })

/**
 * Whether `invocation` passes every filter. `self` is the address the tail was opened from (what
 * `client_ip: ["self"]` means); `random` draws the sampling.
 */
export function matchesFilters(
  filters: readonly TailFilter[],
  invocation: Invocation,
  self: string,
  random: () => number = Math.random,
): boolean {
  return filters.every((filter) => matches(filter, invocation, self, random))
}

function matches(filter: TailFilter, invocation: Invocation, self: string, random: () => number): boolean {
  const request = invocation.event && 'request' in invocation.event ? invocation.event.request : undefined
  if ('sampling_rate' in filter) return random() < filter.sampling_rate
  if ('outcome' in filter) return filter.outcome.includes(invocation.outcome)
  if ('scriptVersion' in filter) return invocation.scriptVersion?.id === filter.scriptVersion
  if ('query' in filter) return mentions(invocation, filter.query)
  // The rest look at the request: invocations without one (crons, alarms) do not match them.
  if (!request) return false
  if ('method' in filter) return filter.method.some((method) => method.toUpperCase() === request.method.toUpperCase())
  if ('client_ip' in filter) {
    const ip = header(request.headers, 'cf-connecting-ip')
    return ip !== undefined && filter.client_ip.some((wanted) => (wanted === 'self' ? self : wanted) === ip)
  }
  const value = header(request.headers, filter.header.key)
  return value !== undefined && (filter.header.query === undefined || value === filter.header.query)
}

/** Whether any console output or exception of the invocation contains `query`. */
function mentions(invocation: Invocation, query: string): boolean {
  const said = [
    ...invocation.logs.flatMap((log) =>
      log.message.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))),
    ),
    ...invocation.exceptions.map((exception) => `${exception.name}: ${exception.message}`),
  ]
  return said.some((line) => line.includes(query))
}

function header(headers: Record<string, string>, key: string): string | undefined {
  const wanted = key.toLowerCase()
  return Object.entries(headers).find(([name]) => name.toLowerCase() === wanted)?.[1]
}
