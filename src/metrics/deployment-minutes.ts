import { array, number } from 'valibot'
import { parseStoredJson } from '../core/schema'
import { BUCKETS, mergeMinutes, type MinuteRow } from './metrics'

// One worker's minutes per deployment, kept in its WorkerMetrics object beside its own minutes while
// a gradual rollout runs (metrics/rollout-metrics.ts): a deleted worker's go with the object's
// deleteAll(), and they are pruned after the same 24 hours.

interface StoredDeploymentMinute extends Record<string, SqlStorageValue> {
  deployment: string
  at: number
  requests: number
  errors: number
  histogram: string
}

const HISTOGRAM = array(number())

/** Adds an aggregate of `deployment` to its stored minute; minutes before `oldest` are pruned first. */
export function addDeploymentMinute(sql: SqlStorage, deployment: string, row: MinuteRow, oldest: number): void {
  table(sql).exec('DELETE FROM deployment_minutes WHERE at < ?', oldest)
  if (row.at < oldest || row.histogram.length !== BUCKETS) return
  const stored = sql
    .exec<StoredDeploymentMinute>(
      'SELECT * FROM deployment_minutes WHERE deployment = ? AND at = ?',
      deployment,
      row.at,
    )
    .toArray()[0]
  const merged = stored ? mergeMinutes(parse(stored), row) : row
  sql.exec(
    'INSERT OR REPLACE INTO deployment_minutes VALUES (?, ?, ?, ?, ?)',
    deployment,
    row.at,
    merged.requests,
    merged.errors,
    JSON.stringify(merged.histogram),
  )
}

/** The stored minutes of `deployment` from `from` on, oldest first. */
export function readDeploymentMinutes(sql: SqlStorage, deployment: string, from: number): MinuteRow[] {
  return table(sql)
    .exec<StoredDeploymentMinute>(
      'SELECT * FROM deployment_minutes WHERE deployment = ? AND at >= ? ORDER BY at',
      deployment,
      from,
    )
    .toArray()
    .map(parse)
}

// Created on use: deleteAll() drops it with everything else.
function table(sql: SqlStorage): SqlStorage {
  sql.exec(
    'CREATE TABLE IF NOT EXISTS deployment_minutes (deployment TEXT, at INTEGER, requests, errors, histogram, PRIMARY KEY (deployment, at))',
  )
  return sql
}

function parse(stored: StoredDeploymentMinute): MinuteRow {
  return {
    at: stored.at,
    requests: stored.requests,
    errors: stored.errors,
    histogram: parseStoredJson(HISTOGRAM, stored.histogram, `The histogram of minute ${stored.at}`),
  }
}
