import { describe, expect, it } from 'vitest'
import { minIntervalMinutes, nextDue, nextRun, parseCron } from '../../src/cron/cron'
import { PlatformError } from '../../src/core/errors'

const at = (iso: string) => Date.parse(iso)
const next = (expression: string, after: string) => {
  const time = nextRun(parseCron(expression), at(after))
  return time === null ? null : new Date(time).toISOString()
}

describe('parseCron', () => {
  it.each([
    '* * * * *',
    '*/5 * * * *',
    '1-30/2 * * * *',
    '5/15 * * * *',
    '0 9 * * MON-FRI',
    '0 0 1 jan,Jul *',
    '0 0 * * 7',
    '0 0 29 2 *',
    '  0   12  *  *  *  ',
  ])('accepts %j', (expression) => {
    expect(() => parseCron(expression)).not.toThrow()
  })

  it('stores the expression trimmed, with single spaces', () => {
    expect(parseCron('  0   12  *  *  *  ').expression).toBe('0 12 * * *')
  })

  it.each([
    ['', 'has 0 fields; cron has 5'],
    ['* * * *', 'has 4 fields; cron has 5: minute hour day-of-month month day-of-week'],
    ['0 * * * * *', 'has 6 fields'],
    ['60 * * * *', '"60" in the minute field is not 0–59'],
    ['* 24 * * *', '"24" in the hour field is not 0–23'],
    ['* * 0 * *', '"0" in the day-of-month field is not 1–31'],
    ['* * * 13 *', '"13" in the month field is not 1–12'],
    ['* * * * 8', '"8" in the day-of-week field is not 0–7'],
    ['* * * FOO *', '"FOO" in the month field is not 1–12'],
    ['*/0 * * * *', '"*/0" in the minute field runs backwards or has a step of 0'],
    ['*/x * * * *', '"*/x" in the minute field is not a value, range (1-5), list or step (*/5)'],
    ['30-10 * * * *', '"30-10" in the minute field runs backwards'],
    ['1-2-3 * * * *', '"1-2-3" in the minute field is not a value'],
    ['1/2/3 * * * *', 'is not a value'],
    [', * * * *', 'is not a value'],
    ['0 0 L * *', '"L" in the day-of-month field is not 1–31'],
    ['0 0 * * 5#2', '"5#2" in the day-of-week field is not a value'],
    ['0 0 ? * *', '"?" in the day-of-month field is not a value'],
    ['0 0 30 2 *', 'never runs'],
    ['0 0 31 4,6,9,11 *', 'never runs'],
    ['@hourly', 'has 1 fields'],
  ])('refuses %j: %s', (expression, message) => {
    let error: unknown
    try {
      parseCron(expression)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(PlatformError)
    expect((error as PlatformError).code).toBe('invalid_settings')
    expect((error as PlatformError).message).toContain(message)
    if (expression.trim()) expect((error as PlatformError).message).toContain(`"${expression.trim()}"`)
  })
})

describe('nextRun (UTC)', () => {
  it.each([
    ['* * * * *', '2026-03-10T12:00:30Z', '2026-03-10T12:01:00.000Z'],
    ['*/5 * * * *', '2026-03-10T12:03:00Z', '2026-03-10T12:05:00.000Z'],
    // Strictly after: a time that matches exactly gives the following one.
    ['*/5 * * * *', '2026-03-10T12:05:00Z', '2026-03-10T12:10:00.000Z'],
    ['1-30/2 * * * *', '2026-03-10T12:30:00Z', '2026-03-10T13:01:00.000Z'],
    ['0 0 * * *', '2026-12-31T23:59:59Z', '2027-01-01T00:00:00.000Z'],
    // Month ends: the 31st skips months without one, the 30th skips February.
    ['0 0 31 * *', '2026-04-15T00:00:00Z', '2026-05-31T00:00:00.000Z'],
    ['0 12 30 * *', '2026-02-01T00:00:00Z', '2026-03-30T12:00:00.000Z'],
    ['30 23 31 12 *', '2026-12-31T23:30:00Z', '2027-12-31T23:30:00.000Z'],
    // Leap day: the next February 29th.
    ['0 0 29 2 *', '2025-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['0 0 29 FEB *', '2099-03-01T00:00:00Z', '2104-02-29T00:00:00.000Z'],
    // Both day fields restricted: either matches (2026-01-02 is a Friday, not the 13th).
    ['0 0 13 * 5', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00.000Z'],
    ['0 0 13 * FRI', '2026-01-10T00:00:00Z', '2026-01-13T00:00:00.000Z'],
    // One day field starting with "*": both must match (odd days that are Fridays).
    ['0 0 */2 * 5', '2026-01-01T00:00:00Z', '2026-01-09T00:00:00.000Z'],
    ['0 9 * * MON-FRI', '2026-01-03T10:00:00Z', '2026-01-05T09:00:00.000Z'],
    ['0 0 * * 7', '2026-01-01T00:00:00Z', '2026-01-04T00:00:00.000Z'],
    ['0 0 1 JAN *', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00.000Z'],
    // UTC: the night clocks change in Europe (2026-03-29) or the US (2026-03-08) is like any other.
    ['30 2 * * *', '2026-03-29T00:00:00Z', '2026-03-29T02:30:00.000Z'],
    ['30 2 * * *', '2026-03-08T03:00:00Z', '2026-03-09T02:30:00.000Z'],
  ])('%j after %s → %s', (expression, after, expected) => {
    expect(next(expression, after)).toBe(expected)
  })
})

describe('minIntervalMinutes', () => {
  it.each([
    ['* * * * *', 1],
    ['*/15 * * * *', 15],
    ['0,30 9 * * *', 30],
    // 23:00 and, the next day, 00:00: the midnight wrap counts.
    ['0 0,23 * * *', 60],
    ['0 0 * * *', 1440],
    ['0 0 1 * *', 1440],
  ])('%j → %i', (expression, minutes) => {
    expect(minIntervalMinutes(parseCron(expression))).toBe(minutes)
  })
})

describe('nextDue', () => {
  it('gives the earliest time and every expression due then', () => {
    const due = nextDue(['*/5 * * * *', '0 * * * *', '*/10 * * * *'], at('2026-03-10T12:55:00Z'))
    expect(due).toEqual({ at: at('2026-03-10T13:00:00Z'), crons: ['*/5 * * * *', '0 * * * *', '*/10 * * * *'] })
    expect(nextDue(['0 0 * * *', '*/5 * * * *'], at('2026-03-10T12:01:00Z'))).toEqual({
      at: at('2026-03-10T12:05:00Z'),
      crons: ['*/5 * * * *'],
    })
    expect(nextDue([], 0)).toBeNull()
  })
})
