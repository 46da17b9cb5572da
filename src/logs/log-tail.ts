import { WorkerEntrypoint } from 'cloudflare:workers'
import { isWorkerId } from '../deploy/deployments'
import { nameFromTags, ownerFromTags, toLogLines } from './logs'
import type { LogLine } from '../core/model'
import { isValidName } from '../core/names'

/** Which user Worker a LogTail binding was handed to: its name, deployment (Worker ID) and owner generation. */
export interface LogTailProps {
  name: string
  workerId: string
  ownerId: string
}

/**
 * The tail of user Workers on the dynamic-workers backend: the Worker Loader sends each
 * invocation's trace here, with the worker's name and deployment as props.
 */
export class LogTail extends WorkerEntrypoint<Env, LogTailProps> {
  override async tail(events: TraceItem[]): Promise<void> {
    const { name, workerId, ownerId } = this.ctx.props
    await storeLogs(
      this.env,
      { name, ownerId },
      toLogLines(events, () => workerId),
    )
  }
}

/**
 * Tail consumer of the dispatch namespace's user Workers (configured at upload): each event
 * carries the script's tags, among them the worker's name and its owner generation.
 */
export async function tailDispatchNamespace(events: TraceItem[], env: Env): Promise<void> {
  const byWorker = new Map<string, { worker: TailedWorker; items: TraceItem[] }>()
  for (const event of events) {
    const name = nameFromTags(event.scriptTags)
    const ownerId = ownerFromTags(event.scriptTags)
    if (!name || !ownerId) continue
    const key = `${name}/${ownerId}`
    const entry = byWorker.get(key) ?? { worker: { name, ownerId }, items: [] }
    entry.items.push(event)
    byWorker.set(key, entry)
  }
  await Promise.all(
    [...byWorker.values()].map(({ worker, items }) => storeLogs(env, worker, toLogLines(items, deploymentOfScript))),
  )
}

/** Whose lines these are: the name, and the owner generation the invocations ran for. */
interface TailedWorker {
  name: string
  ownerId: string
}

/**
 * The deployment a dispatch-namespace trace event comes from: scripts are uploaded to the
 * namespace under their Worker ID (see backends/dispatch-namespace.ts), so it is the script name.
 */
function deploymentOfScript(event: TraceItem): string | undefined {
  return event.scriptName && isWorkerId(event.scriptName) ? event.scriptName : undefined
}

/** Stores log lines for the worker they belong to (in that name's Durable Object, which checks the generation). */
async function storeLogs(env: Env, { name, ownerId }: TailedWorker, lines: LogLine[]): Promise<void> {
  if (lines.length > 0 && isValidName(name)) await env.NAME_CLAIMS.getByName(name).appendLogs(lines, ownerId)
}
