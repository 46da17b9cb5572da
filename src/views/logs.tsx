import type { FC } from 'hono/jsx'
import { formatDuration, formatTime } from '../lib/format'
import { LOG_WATCH_MS } from '../logs/logs'
import type { LogLine, WorkerRecord } from '../core/model'

export interface LogViewProps {
  record: WorkerRecord
  /** Recent output, shown after the owner asked for it with the token. */
  logs?: { lines: LogLine[]; capturingUntil: string }
  /** The time the page is rendered at (to tell whether capture is on). */
  now: number
  /** How long a deploy turns capture on (LOG_CAPTURE_AFTER_DEPLOY_MINUTES; 0: it does not). */
  captureAfterDeployMs: number
}

/**
 * Whether logs are being captured and until when, and the recent lines once the owner asked for
 * them. The page's script (assets/enhance.ts) follows new lines into the same elements live (the
 * hidden ones are its own); it formats them as `logLineText` does and names deployments from
 * `data-deployments`.
 */
export const LogView: FC<LogViewProps> = ({ record, logs, now, captureAfterDeployMs }) => {
  const labels = Object.fromEntries(record.deployments.map((deployment) => [deployment.workerId, deployment.label]))
  const capturingUntil = logs?.capturingUntil ?? record.logsUntil
  const capturing = capturingUntil !== undefined && Date.parse(capturingUntil) > now
  return (
    <div id="log-view" data-deployments={JSON.stringify(labels)}>
      <p class="hint" id="log-capture">
        {capturing ? (
          <>
            Capture is on until <time datetime={capturingUntil}>{formatTime(capturingUntil)}</time>.
          </>
        ) : (
          <>Capture is off: {captureTriggers(captureAfterDeployMs)}.</>
        )}
      </p>
      {/* Filled in by the page's script while it follows the logs live (a live region, announced; not a
          role=status of its own, which would be a second status next to the page's notices). */}
      <p class="hint" id="log-follow-status" aria-live="polite"></p>
      <button type="button" class="secondary" id="log-stop" hidden>
        Stop following
      </button>
      <div class="alert error" id="log-error" role="alert" hidden></div>
      <p id="log-empty" hidden={!logs || logs.lines.length > 0}>
        No output yet. Call the worker, then show the logs again.
      </p>
      <pre class="code logs" tabindex={0} aria-labelledby="logs-heading" hidden={!logs || logs.lines.length === 0}>
        <code id="log-lines">{logs?.lines.map((line) => logLineText(line, labels)).join('\n')}</code>
      </pre>
    </div>
  )
}

/** One line as the page shows it: time, level, the deployment's label (or ID) in brackets, message. */
export function logLineText(line: LogLine, labels: Record<string, string>): string {
  const deployment = line.deployment ? `[${labels[line.deployment] ?? line.deployment}] ` : ''
  return `${line.at}  ${line.level.padEnd(9)} ${deployment}${line.message}`
}

/** What turns log capture on, and for how long: a read always, a deploy unless the operator turned that off. */
export function captureTriggers(captureAfterDeployMs: number): string {
  const read = `showing the logs turns it on for ${formatDuration(LOG_WATCH_MS)}`
  if (captureAfterDeployMs === 0) return read
  return captureAfterDeployMs === LOG_WATCH_MS
    ? `showing the logs, or deploying, turns it on for ${formatDuration(LOG_WATCH_MS)}`
    : `${read}, deploying for ${formatDuration(captureAfterDeployMs)}`
}
