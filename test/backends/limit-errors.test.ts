import { describe, expect, it } from 'vitest'
import { limitExceeded } from '../../src/backends/limit-errors'

const limits = { cpuMs: 50, subRequests: 5 }

describe('limit errors', () => {
  it.each([
    ['Worker exceeded CPU time limit.', 'CPU time limit (50 ms per request)'],
    ['Exceeded CPU limit', 'CPU time limit'],
    ['Too many subrequests.', 'subrequest limit (5 per request)'],
  ])('turns "%s" into a 503 naming the limit', (message, expected) => {
    const error = limitExceeded(new Error(message), limits)
    expect(error?.status).toBe(503)
    expect(error?.code).toBe('limit_exceeded')
    expect(error?.message).toContain(expected)
  })

  it('leaves the worker’s own exceptions alone', () => {
    expect(limitExceeded(new Error('database is down'), limits)).toBeUndefined()
  })
})
