import { WorkerEntrypoint } from 'cloudflare:workers'
import { nameFromTags, toLogLines } from '../logs'
import { isValidName } from '../names'

/**
 * The tail of user Workers on the dynamic-workers backend: the Worker Loader sends each
 * invocation's trace here, with the worker's name as props.
 */
export class LogTail extends WorkerEntrypoint<Env, { name: string }> {
  override async tail(events: TraceItem[]): Promise<void> {
    await storeLogs(this.env, this.ctx.props.name, events)
  }
}

/**
 * Tail consumer of the dispatch namespace's user Workers (configured at upload): each event
 * carries the script's tags, among them the worker's name.
 */
export async function tailDispatchNamespace(events: TraceItem[], env: Env): Promise<void> {
  const byName = new Map<string, TraceItem[]>()
  for (const event of events) {
    const name = nameFromTags(event.scriptTags)
    if (name) byName.set(name, [...(byName.get(name) ?? []), event])
  }
  await Promise.all([...byName].map(([name, items]) => storeLogs(env, name, items)))
}

/** Stores trace events for the worker they belong to (in that name's Durable Object). */
async function storeLogs(env: Env, name: string, events: TraceItem[]): Promise<void> {
  const lines = toLogLines(events)
  if (lines.length > 0 && isValidName(name)) await env.NAME_CLAIMS.getByName(name).appendLogs(lines)
}
