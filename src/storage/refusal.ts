import { literal, object, string, unknown, variant, type GenericSchema } from 'valibot'
import { parseOr } from '../core/schema'

// Storage calls the platform refuses (a quota, a key or SQL the tenant got wrong, a deleted owner's
// write) leave its entrypoints and objects as values: workerd (with --verbose) logs every exception
// that leaves an RPC method as uncaught in the isolate that threw it, though this one is the
// tenant's to handle. The facades in the tenant's isolate (kv-shim.ts, shim.ts) throw it there, as
// the Error RPC would have given. The platform's own faults still throw, and are logged.

/** A refusal as it crosses: the error's name and message (RPC keeps no more of an Error). */
export interface Refusal {
  name: string
  message: string
}

/** What a refusable storage call answers: its value, or why it was refused. */
export type Refusable<T> = { ok: true; value: T } | { ok: false; error: Refusal }

/** Errors made (or met) refusing a tenant's call, per isolate: `attempt` answers them as values. */
const refusals = new WeakSet<Error>()

/** An Error refusing what the tenant's code asked for (never a fault of the platform). */
export function refusal(message: string): Error {
  return asRefusal(new Error(message))
}

/** Marks a caught error as the answer to the tenant's own request (e.g. SQLite's to its SQL); returns it. */
export function asRefusal(error: unknown): Error {
  const marked = error instanceof Error ? error : new Error(String(error))
  refusals.add(marked)
  return marked
}

/** Runs a storage call: a refusal becomes the answer; anything else (a platform fault) still throws. */
export async function attempt<T>(call: () => T | Promise<T>): Promise<Refusable<T>> {
  try {
    return { ok: true, value: await call() }
  } catch (error) {
    if (!(error instanceof Error) || !refusals.has(error)) throw error
    return { ok: false, error: { name: error.name, message: error.message } }
  }
}

const refusableSchema: GenericSchema<Refusable<unknown>> = variant('ok', [
  object({ ok: literal(true), value: unknown() }),
  object({ ok: literal(false), error: object({ name: string(), message: string() }) }),
])

/** A refusable call's answer from another isolate (the KV ledger), checked: its value, or its refusal thrown. */
export function unwrap(answer: unknown): unknown {
  const checked = parseOr(
    refusableSchema,
    answer,
    (problem) => new Error(`A storage call answered in no shape the platform sends: ${problem}`),
  )
  if (checked.ok) return checked.value
  // Still a refusal here, for the `attempt` of the entrypoint that made the call.
  const error = refusal(checked.error.message)
  if (checked.error.name !== error.name) error.name = checked.error.name
  throw error
}

/**
 * The same for the tenant's isolate, as JavaScript for the facades the platform adds to its bundle:
 * `settled(answer)` is the value, or throws the Error the tenant's code got when refusals were
 * thrown across RPC: same type, name and message, and `remote: true` as RPC sets it.
 */
export const SETTLED_SOURCE = `const ERROR_TYPES = new Map([Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError].map((type) => [type.name, type]));

function settled(answer) {
  if (answer.ok) return answer.value;
  const { name, message } = answer.error;
  const error = new (ERROR_TYPES.get(name) ?? Error)(message);
  if (error.name !== name) error.name = name;
  error.remote = true;
  throw error;
}`
