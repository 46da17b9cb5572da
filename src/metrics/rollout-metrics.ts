import type { UserWorkerFetcher } from '../backends/backend'
import type { Background } from '../core/follow-up'
import type { Rollout, WorkerRecord } from '../core/model'
import { isValidName } from '../core/names'
import { currentDeployment, isWorkerId } from '../deploy/deployments'
import { rolloutCandidate } from '../deploy/rollouts'
import { METRICS_WINDOW_MS, MINUTE_MS, minuteOf, reportOf, type MetricsReport } from './metrics'
import { metered, type Metrics, type MetricsStore, type WorkerMetricsStore } from './metrics-recorder'
import type { WorkerMetrics } from './worker-metrics.do'

// Per-deployment metrics during a gradual rollout (docs/deployments.md#gradual-rollouts): each side's
// requests are counted a second time under `<name>@<workerId>` by a recorder of their own, so the
// current deployment and the candidate can be compared. Only a worker with a rollout pays for it.

/** The key a deployment's requests are counted under: its worker's name and its Worker ID. */
export function deploymentKey(name: string, workerId: string): string {
  return `${name}@${workerId}`
}

/** Whether `key` is a deploymentKey of a valid name and Worker ID (nothing else reaches a query). */
export function isDeploymentKey(key: string): boolean {
  const at = key.indexOf('@')
  return at > 0 && isValidName(key.slice(0, at)) && isWorkerId(key.slice(at + 1))
}

/** Where deployments' minutes are stored (METRICS=local): beside the worker's own, in its WorkerMetrics object. */
export class DeploymentMinutesStore implements MetricsStore {
  constructor(private readonly objects: DurableObjectNamespace<WorkerMetrics>) {}

  getByName(key: string): WorkerMetricsStore {
    const at = key.indexOf('@')
    const stub = this.objects.getByName(key.slice(0, at))
    const deployment = key.slice(at + 1)
    return {
      add: (row, ownerId) => stub.addDeployment(deployment, row, ownerId),
      read: (from) => stub.readDeployment(deployment, from),
      // Not part of the usage export: the worker's own days are.
      readDays: () => Promise.resolve([]),
      // Deleting the worker deletes its object, these minutes included (the worker's forget).
      forget: () => Promise.resolve(),
    }
  }
}

/** One side of a rollout: a deployment, its share of visitors and its metrics since the rollout started. */
export interface RolloutSide {
  workerId: string
  label: string
  percent: number
  /** Requests, errors, p50 and p99 per minute since the rollout started (its last 24 hours); null when metrics are off. */
  metrics: MetricsReport | null
}

/** A rollout with both its sides, for the worker page and `GET /api/workers/:name/rollout`. */
export interface RolloutReport {
  rollout: Rollout
  current: RolloutSide
  candidate: RolloutSide
}

/** Records and reads each side of a rollout; no-ops when metrics are off (METRICS=off). */
export class RolloutMetrics {
  constructor(
    private readonly parts: {
      /** A recorder whose names are deployment keys; undefined when metrics are off. */
      metrics: Metrics | undefined
      now: () => number
    },
  ) {}

  /** The fetcher, its requests counted for `workerId` too (dispatch calls it only during a rollout). */
  meter(
    fetcher: Pick<UserWorkerFetcher, 'fetch'>,
    record: WorkerRecord,
    workerId: string,
    background: Background | undefined,
  ): Pick<UserWorkerFetcher, 'fetch'> {
    const { metrics } = this.parts
    if (!metrics) return fetcher
    return metered(
      fetcher,
      { name: deploymentKey(record.name, workerId), ownerId: record.ownerId },
      metrics,
      background,
    )
  }

  /** The worker's rollout with each side's metrics since it started; null without one. */
  async read(record: WorkerRecord): Promise<RolloutReport | null> {
    const { rollout } = record
    const candidate = rolloutCandidate(record)
    if (!rollout || !candidate) return null
    const current = currentDeployment(record)
    const currentId = current?.workerId ?? record.workerId
    const [currentMetrics, candidateMetrics] = await Promise.all([
      this.report(record, currentId),
      this.report(record, candidate.workerId),
    ])
    return {
      rollout,
      current: {
        workerId: currentId,
        label: current?.label ?? currentId,
        percent: 100 - rollout.percent,
        metrics: currentMetrics,
      },
      candidate: {
        workerId: candidate.workerId,
        label: candidate.label,
        percent: rollout.percent,
        metrics: candidateMetrics,
      },
    }
  }

  /** Stores what this isolate still holds (for tests: nothing waits for a minute to end). */
  async flush(): Promise<void> {
    await this.parts.metrics?.flush()
  }

  private async report(record: WorkerRecord, workerId: string): Promise<MetricsReport | null> {
    const { metrics, now } = this.parts
    if (!metrics || !record.rollout) return null
    const to = now()
    // Since the rollout started (its minute), within the 24 hours kept, and never before the worker.
    const from = Math.max(
      minuteOf(to - METRICS_WINDOW_MS) + MINUTE_MS,
      minuteOf(Date.parse(record.rollout.startedAt)),
      minuteOf(Date.parse(record.createdAt)),
    )
    const worker = { name: deploymentKey(record.name, workerId), ownerId: record.ownerId }
    return reportOf(record.name, await metrics.read(worker, from), from, to)
  }
}
