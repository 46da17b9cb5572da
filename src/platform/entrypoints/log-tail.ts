import { WorkerEntrypoint } from 'cloudflare:workers'
import { isWorkerId } from '../deployments'
import { nameFromTags, toLogLines } from '../logs'
import type { LogLine } from '../model'
import { isValidName } from '../names'

/** Which user Worker a LogTail binding was handed to: its name and the deployment (Worker ID). */
export interface LogTailProps {
  name: string
  workerId: string
}

/**
 * The tail of user Workers on the dynamic-workers backend: the Worker Loader sends each
 * invocation's trace here, with the worker's name and deployment as props.
 */
export class LogTail extends WorkerEntrypoint<Env, LogTailProps> {
  override async tail(events: TraceItem[]): Promise<void> {
    const { name, workerId } = this.ctx.props
    await storeLogs(
      this.env,
      name,
      toLogLines(events, () => workerId),
    )
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
  await Promise.all([...byName].map(([name, items]) => storeLogs(env, name, toLogLines(items, deploymentOfScript))))
}

/**
 * The deployment a dispatch-namespace trace event comes from: scripts are uploaded to the
 * namespace under their Worker ID (see backends/dispatch-namespace.ts), so it is the script name.
 */
function deploymentOfScript(event: TraceItem): string | undefined {
  return event.scriptName && isWorkerId(event.scriptName) ? event.scriptName : undefined
}

/** Stores log lines for the worker they belong to (in that name's Durable Object). */
async function storeLogs(env: Env, name: string, lines: LogLine[]): Promise<void> {
  if (lines.length > 0 && isValidName(name)) await env.NAME_CLAIMS.getByName(name).appendLogs(lines)
}
