import { PlatformError } from '../core/errors'

/** The most workers (or accounts) an isolate keeps a day's state of; the oldest goes first. */
const MAX_HELD = 10_000

/**
 * What `held` keeps for `key`: its entry, or a `fresh()` one when there is none or `stale` says the
 * one there is for another day (or budget). The map never holds more than MAX_HELD entries.
 */
export function heldFor<T>(held: Map<string, T>, key: string, stale: (entry: T) => boolean, fresh: () => T): T {
  let entry = held.get(key)
  if (entry === undefined || stale(entry)) {
    entry = fresh()
    if (held.size >= MAX_HELD) held.delete(held.keys().next().value as string)
    held.set(key, entry)
  }
  return entry
}

/** 429 saying which budget is spent, with Retry-After at the next UTC midnight. */
export function budgetSpent(message: string, untilResetMs: number): PlatformError {
  return new PlatformError('budget_exceeded', message, { 'Retry-After': String(Math.ceil(untilResetMs / 1000)) })
}
