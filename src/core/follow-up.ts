/** Where work that outlives the response goes (the request's ExecutionContext). */
export type Background = Pick<ExecutionContext, 'waitUntil'>

/**
 * What a change gets of the request that makes it: its background, and the client it came from
 * (CF-Connecting-IP), for the audit log. Absent outside a request (an alarm, a test).
 */
export type RequestScope = Background & { readonly clientIp?: string }

/**
 * Runs a follow-up whose failure is made good later (the name's outbox retries it until it
 * succeeds); says whether it worked. Only the kind of failure is logged: messages of storage and
 * API errors can hold what is not for logs.
 */
export async function bestEffort(what: string, work: () => Promise<unknown>): Promise<boolean> {
  try {
    await work()
    return true
  } catch (error) {
    console.warn(`could not ${what} now (${error instanceof Error ? error.name : 'error'}); it will be retried`)
    return false
  }
}
