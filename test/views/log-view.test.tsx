import { describe, expect, it } from 'vitest'
import { LOG_WATCH_MS } from '../../src/logs/logs'
import { LogView } from '../../src/views/logs'
import type { WorkerRecord } from '../../src/core/model'

const NOW = Date.parse('2026-12-07T12:00:00.000Z')
const record = { name: 'app', deployments: [] } as unknown as WorkerRecord

async function captureHint(captureAfterDeployMs: number, logsUntil?: string) {
  const view = <LogView record={{ ...record, logsUntil }} now={NOW} captureAfterDeployMs={captureAfterDeployMs} />
  const html = String(await Promise.resolve(view))
  return /<p class="hint" id="log-capture">([\s\S]*?)<\/p>/.exec(html)?.[1]?.replace(/\s+/g, ' ').trim()
}

describe('the log view says what turns capture on', () => {
  it('a read or a deploy, for the same 15 minutes by default', async () => {
    expect(await captureHint(LOG_WATCH_MS)).toBe(
      'Capture is off: showing the logs, or deploying, turns it on for 15 minutes.',
    )
  })

  it('a deploy for as long as LOG_CAPTURE_AFTER_DEPLOY_MINUTES says, and never when it is 0', async () => {
    expect(await captureHint(60 * 60_000)).toBe(
      'Capture is off: showing the logs turns it on for 15 minutes, deploying for 60 minutes.',
    )
    expect(await captureHint(0)).toBe('Capture is off: showing the logs turns it on for 15 minutes.')
  })

  it('until when, while it is on', async () => {
    expect(await captureHint(0, new Date(NOW + 60_000).toISOString())).toMatch(/^Capture is on until/)
  })
})
