import { WorkerEntrypoint } from 'cloudflare:workers'
import { isWorkerId } from '../deploy/deployments'
import { isOpen, nameFromTags, ownerFromTags } from './logs'
import { toInvocations, type Invocation } from './invocations'
import { isValidName } from '../core/names'
import { configFor } from '../core/config'
import type { WorkerRecord } from '../core/model'
import { Registry } from '../names/registry'
import { usageCounter } from '../metrics/usage-counts'
import type { Background } from '../core/follow-up'

/** Which user Worker a LogTail binding was handed to: its name, deployment (Worker ID) and owner generation. */
export interface LogTailProps {
  name: string
  workerId: string
  ownerId: string
  /** A live tail is open: every invocation is sent, not only those with output. */
  live?: boolean
  /** false: a CPU-only tail, which keeps no lines. */
  logs?: boolean
  /** Counts the invocations' CPU time into the worker's usage (metrics/usage-counts.ts). */
  cpu?: boolean
}

/**
 * The tail of user Workers on the dynamic-workers backend: the Worker Loader sends each
 * invocation's trace here, with the worker's name and deployment as props.
 */
export class LogTail extends WorkerEntrypoint<Env, LogTailProps> {
  override async tail(events: TraceItem[]): Promise<void> {
    const { name, workerId, ownerId, live, logs, cpu } = this.ctx.props
    if (cpu) countCpu(this.env, { name, ownerId }, events, this.ctx)
    if (logs === false) return
    const invocations = toInvocations(events, name, () => workerId)
    await storeInvocations(this.env, { name, ownerId }, live ? invocations : invocations.filter(hasOutput))
  }
}

/**
 * Tail consumer of the dispatch namespace's user Workers (configured at upload): each event
 * carries the script's tags, among them the worker's name and its owner generation.
 */
export async function tailDispatchNamespace(events: TraceItem[], env: Env, ctx?: Background): Promise<void> {
  const byWorker = new Map<string, { worker: TailedWorker; items: TraceItem[] }>()
  for (const event of events) {
    const name = nameFromTags(event.scriptTags)
    const ownerId = ownerFromTags(event.scriptTags)
    if (!name || !ownerId) continue
    const key = `${name}/${ownerId}`
    const entry = byWorker.get(key) ?? { worker: { name, ownerId }, items: [] }
    // Every invocation of the namespace's scripts comes here: CPU is always metered on dispatch-namespace.
    countCpu(env, entry.worker, [event], ctx)
    entry.items.push(event)
    byWorker.set(key, entry)
  }
  const registry = registryOf(env)
  await Promise.all(
    [...byWorker.values()].map(async ({ worker, items }) => {
      const invocations = toInvocations(items, worker.name, deploymentOfScript)
      // Only invocations with output, unless a live tail is open (the mapping says, cached as for dispatch).
      const silent = invocations.some((invocation) => !hasOutput(invocation))
      const live = silent && isValidName(worker.name) && isTailed(await registry.lookup(worker.name))
      await storeInvocations(env, worker, live ? invocations : invocations.filter(hasOutput))
    }),
  )
}

/** Adds the events' CPU time (ms) to the worker's usage of today, in this isolate's memory (flushed later). */
function countCpu(env: Env, worker: TailedWorker, events: TraceItem[], ctx: Background | undefined): void {
  const cpuMs = events.reduce((sum, event) => sum + (Number.isFinite(event.cpuTime) ? event.cpuTime : 0), 0)
  if (cpuMs > 0 && isValidName(worker.name)) usageCounter.count(env.WORKER_METRICS, worker, { cpuMs }, ctx)
}

/** Whether an invocation logged or threw anything (what the recent logs keep). */
function hasOutput(invocation: Invocation): boolean {
  return invocation.logs.length > 0 || invocation.exceptions.length > 0
}

function isTailed(record: WorkerRecord | null): boolean {
  return isOpen(record?.tailsUntil, Date.now())
}

/** One mapping reader per isolate, so its cache serves batch after batch (as dispatch's does). */
const registries = new WeakMap<Env, Registry>()
function registryOf(env: Env): Registry {
  let registry = registries.get(env)
  if (!registry) {
    registry = new Registry(env.WORKER_MAPPINGS, configFor(env).mappingCacheMs)
    registries.set(env, registry)
  }
  return registry
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

/**
 * Hands invocations to the name's Durable Object of the worker they belong to, which checks the
 * generation, keeps their output as log lines and sends them to its live tails.
 */
async function storeInvocations(env: Env, { name, ownerId }: TailedWorker, invocations: Invocation[]): Promise<void> {
  if (invocations.length > 0 && isValidName(name)) {
    await env.NAME_CLAIMS.getByName(name).appendInvocations(invocations, ownerId)
  }
}
